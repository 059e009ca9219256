import BatonCore
import Foundation
import Testing

@testable import BatonTestSupport

@Suite struct FleetTopologyTests {
    @Test func decodesTheDocumentedJSON() throws {
        let json = """
            {"clusters": [{"name": "shop", "flavor": "mysql", "version": "8.4.2",
              "instances": [{"name": "shop-p", "host": "127.10.0.1", "port": 3306},
                            {"name": "shop-r1", "host": "127.10.0.2", "port": 3306, "source": "shop-p", "lagSeconds": 2}]}]}
            """
        let topology = try JSONDecoder().decode(FleetTopology.self, from: Data(json.utf8))
        #expect(topology.clusters[0].flavor == .mysql)
        #expect(topology.allInstances.map(\.source) == [nil, "shop-p"])
        let state = try FleetState(topology: topology, now: .now)
        #expect(state.servers[1].link?.sourceHost == "127.10.0.1")
        #expect(state.servers[1].lagSeconds == 2)
        #expect(state.servers[1].readOnly && !state.servers[0].readOnly)
    }

    @Test func generatesConsecutiveAddressesSkippingNetworkAndBroadcast() throws {
        let topology = try FleetTopology.generated(
            clusters: 60, replicasPerCluster: 4, intermediateReplicas: 1, flavor: .mariadb,
            addressing: .consecutiveAddresses(base: "127.10.0.250", port: 3306))
        let hosts = topology.allInstances.compactMap(\.host)
        #expect(hosts.prefix(7) == ["127.10.0.250", "127.10.0.251", "127.10.0.252", "127.10.0.253", "127.10.0.254", "127.10.1.1", "127.10.1.2"])
        #expect(Set(hosts).count == 360)
        #expect(topology.clusters[0].instances.map(\.name) == ["c0001-p", "c0001-r1", "c0001-r1-1", "c0001-r2", "c0001-r3", "c0001-r4"])
        #expect(topology.clusters[0].instances[2].source == "c0001-r1")
    }

    @Test(arguments: [
        #"{"clusters":[{"name":"a","flavor":"mariadb","instances":[{"name":"x"},{"name":"x"}]}]}"#,
        #"{"clusters":[{"name":"a","flavor":"mariadb","instances":[{"name":"x","source":"y"}]}]}"#,
        #"{"clusters":[{"name":"a","flavor":"mariadb","instances":[{"name":"x","source":"y"},{"name":"y","source":"x"}]}]}"#,
        #"{"clusters":[{"name":"a","flavor":"mariadb","instances":[{"name":"x","port":3306},{"name":"y","port":3306}]}]}"#,
    ])
    func rejectsInconsistentTopologies(json: String) throws {
        let topology = try JSONDecoder().decode(FleetTopology.self, from: Data(json.utf8))
        #expect(throws: FleetError.self) { try FleetState(topology: topology, now: .now) }
    }
}
