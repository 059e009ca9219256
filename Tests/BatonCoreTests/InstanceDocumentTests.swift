import BatonCore
import Foundation
import Testing

@Suite struct InstanceDocumentTests {
    @Test func usesOrchestratorFieldNames() throws {
        let instances = TopologyResolver.resolve([TopologyFixtures.instance(1), TopologyFixtures.instance(2, source: 1)])
        let replica = try #require(instances.first { $0.key.port == 2 })
        let document = InstanceDocument(replica, now: TopologyFixtures.seen.addingTimeInterval(1), pollSeconds: 5)
        let object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as? [String: Any])
        let masterKey = try #require(object["MasterKey"] as? [String: Any])
        #expect(masterKey["Hostname"] as? String == "127.0.0.1")
        #expect(masterKey["Port"] as? Int == 1)
        #expect(object["ClusterName"] as? String == "127.0.0.1:1")
        #expect(object["ReplicationDepth"] as? Int == 1)
        #expect(object["IsLastCheckValid"] as? Bool == true)
        #expect(object["Slave_IO_Running"] as? Bool == true)
        #expect(object["ReplicationIOThreadState"] as? Int == 1)
        #expect(object["LastSeenTimestamp"] as? String == "2023-11-14 22:13:20")
        let lag = try #require(object["SecondsBehindMaster"] as? [String: Any])
        #expect(lag["Valid"] as? Bool == true)
        #expect(object["PromotionRule"] as? String == "neutral")
    }

    @Test func primaryHasEmptyMasterKey() throws {
        let document = InstanceDocument(TopologyFixtures.instance(1), now: TopologyFixtures.seen, pollSeconds: 5)
        #expect(document.masterKey == InstanceKey(hostname: "", port: 0))
        #expect(document.replicationIOThreadState == -1)
    }

    @Test func roundTrips() throws {
        let document = InstanceDocument(TopologyFixtures.instance(2, source: 1), now: TopologyFixtures.seen, pollSeconds: 5)
        let decoded = try JSONDecoder().decode(InstanceDocument.self, from: JSONEncoder().encode(document))
        #expect(decoded == document)
    }
}
