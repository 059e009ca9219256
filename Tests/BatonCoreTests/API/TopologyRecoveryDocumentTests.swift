import BatonCore
import Foundation
import Testing

/// A recovery's `Confirmation`: the group's votes as a JSON object, absent while none are recorded.
struct TopologyRecoveryDocumentTests {
    static func record(confirmation: String) -> RecoveryRecord {
        var record = RecoveryRecord(
            id: 7, uid: "u", failedKey: InstanceKey(hostname: "db-1", port: 3306), clusterName: "db-1:3306",
            analysis: .deadMaster, kind: .masterRecovery, processingNode: "node-a",
            startedAt: Date(timeIntervalSince1970: 1_800_000_000))
        record.confirmationDocument = Data(confirmation.utf8)
        return record
    }

    static func json(_ record: RecoveryRecord) throws -> [String: Any] {
        let data = try JSONEncoder().encode(TopologyRecoveryDocument(record, isActive: false))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(arguments: ["", "not json", "[1, 2]"])
    func noVotesNoField(_ stored: String) throws {
        #expect(try Self.json(Self.record(confirmation: stored))["Confirmation"] == nil)
    }

    @Test func votesAreAnObject() throws {
        let object = try #require(
            try Self.json(Self.record(confirmation: #"{"quorum":2,"votes":{"node-a":true}}"#))["Confirmation"]
                as? [String: Any])
        #expect(object["quorum"] as? Double == 2)
        #expect((object["votes"] as? [String: Any])?["node-a"] as? Bool == true)
        let document = TopologyRecoveryDocument(Self.record(confirmation: #"{"quorum":2}"#), isActive: false)
        let decoded = try JSONDecoder().decode(TopologyRecoveryDocument.self, from: JSONEncoder().encode(document))
        #expect(decoded == document)
    }
}
