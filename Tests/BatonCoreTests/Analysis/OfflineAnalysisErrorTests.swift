import BatonCore
import Foundation
import Testing

/// Snapshot files `baton analyze` must reject, and the message that tells the operator where the problem is.
@Suite struct OfflineAnalysisErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var file: @Sendable () throws -> Data
        var code: OfflineAnalysisError.Code
        var index: Int?
        var instance: InstanceKey?
        var field: String?
        var message: String
        var testDescription: String { name }
    }

    /// A healthy primary with two replicas, as JSON objects to edit.
    static func objects() throws -> [[String: Any]] {
        let data = try SnapshotFile.data(
            SnapshotFile.documents([.primary(1), .replica(2, of: 1), .replica(3, of: 1)]))
        return try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    static func edited(_ change: @escaping @Sendable (inout [[String: Any]]) -> Void) -> @Sendable () throws -> Data {
        {
            var objects = try objects()
            change(&objects)
            return try JSONSerialization.data(withJSONObject: objects)
        }
    }

    static func text(_ text: String) -> @Sendable () throws -> Data { { Data(text.utf8) } }

    static let cases: [Case] = [
        .init(
            name: "empty file", file: text(" \n"), code: .notJSON,
            message: "the snapshot is empty: it must be a JSON array of Instance objects"),
        .init(
            name: "not JSON", file: text("host1:3306\n"), code: .notJSON,
            message: "the snapshot is not valid JSON: Invalid value around character 0 (line 1, column 1)"),
        .init(
            name: "syntax error on line 3", file: text("[\n  {\"Key\": 1},\n  {\"Key\" 2}\n]"), code: .notJSON,
            message: "the snapshot is not valid JSON: Invalid value around character 25 (line 3, column 10)"),
        .init(
            name: "truncated", file: text("[{\"Key\": {"), code: .notJSON,
            message: "the snapshot is not valid JSON: Unexpected end of file during JSON parse"),
        .init(
            name: "an object", file: text("{\"Code\": \"ERROR\", \"Message\": \"unauthorized\"}"), code: .notAnArray,
            message: "the snapshot is a JSON object, not an array of Instance objects"),
        .init(
            name: "a single instance",
            file: {
                let one = try objects()[1]
                return try JSONSerialization.data(withJSONObject: one)
            }, code: .notAnArray,
            message:
                "the snapshot is a JSON object, not an array of Instance objects "
                + "(it looks like one Instance, 127.0.0.1:2: put it in [ ] to analyse it alone)"),
        .init(
            name: "a number", file: text("42"), code: .notAnArray,
            message: "the snapshot is a number, not an array of Instance objects"),
        .init(
            name: "an entry that is a string", file: text("[\"127.0.0.1:1\"]"), code: .malformedInstance, index: 0,
            message: "entry 1 of the snapshot is a string, not an Instance object"),
        .init(
            name: "an entry that is null", file: text("[null]"), code: .malformedInstance, index: 0,
            message: "entry 1 of the snapshot is null, not an Instance object"),
        .init(
            name: "missing field", file: edited { $0[1]["MasterKey"] = nil }, code: .malformedInstance, index: 1,
            instance: AnalysisSketch.key(2), field: "MasterKey",
            message: "entry 2 of the snapshot (127.0.0.1:2) has no \"MasterKey\" field"),
        .init(
            name: "missing nested field",
            file: edited { $0[2]["SecondsBehindMaster"] = ["Int64": 0] }, code: .malformedInstance, index: 2,
            instance: AnalysisSketch.key(3), field: "SecondsBehindMaster.Valid",
            message: "entry 3 of the snapshot (127.0.0.1:3) has no \"Valid\" field in \"SecondsBehindMaster\""),
        .init(
            name: "missing key", file: edited { $0[2]["Key"] = nil }, code: .malformedInstance, index: 2,
            field: "Key", message: "entry 3 of the snapshot has no \"Key\" field"),
        .init(
            name: "wrong type",
            file: edited { $0[1]["Key"] = ["Hostname": "127.0.0.1", "Port": "2"] }, code: .malformedInstance,
            index: 1, field: "Key.Port",
            message: "entry 2 of the snapshot: \"Key.Port\": Expected to decode Int but found a string instead."),
        .init(
            name: "null field", file: edited { $0[0]["ReadOnly"] = NSNull() }, code: .malformedInstance, index: 0,
            instance: AnalysisSketch.key(1), field: "ReadOnly",
            message:
                "entry 1 of the snapshot (127.0.0.1:1): \"ReadOnly\": Expected to decode Bool but found null instead."),
        .init(
            name: "wrong type in a list",
            file: edited { $0[0]["Replicas"] = [["Hostname": "127.0.0.1", "Port": true]] }, code: .malformedInstance,
            index: 0, instance: AnalysisSketch.key(1), field: "Replicas[0].Port",
            message:
                "entry 1 of the snapshot (127.0.0.1:1): \"Replicas[0].Port\": "
                + "Expected to decode Int but found bool instead."),
        .init(
            name: "duplicate key", file: edited { $0[2]["Key"] = ["Hostname": "127.0.0.1", "Port": 2] },
            code: .inconsistentSnapshot, instance: AnalysisSketch.key(2),
            message: "127.0.0.1:2 appears twice in the snapshot (entries 2 and 3)"),
        .init(
            name: "replica of an unknown primary",
            file: edited { $0[2]["MasterKey"] = ["Hostname": "db9", "Port": 3306] }, code: .inconsistentSnapshot,
            instance: AnalysisSketch.key(3),
            message: "127.0.0.1:3 replicates from db9:3306, which is not in the snapshot"),
        .init(
            name: "malformed timestamp", file: edited { $0[0]["LastSeenTimestamp"] = "yesterday" },
            code: .inconsistentSnapshot, instance: AnalysisSketch.key(1),
            message: "127.0.0.1:1 has LastSeenTimestamp \"yesterday\", which is not a yyyy-MM-dd HH:mm:ss time"),
    ]

    @Test(arguments: cases)
    func rejects(_ testCase: Case) throws {
        let file = try testCase.file()
        for json in [false, true] {
            #expect {
                _ = try OfflineAnalysis.run(
                    snapshotJSON: file, includeDowntimed: false, json: json, now: AnalysisSketch.now)
            } throws: { error in
                guard let error = error as? OfflineAnalysisError else { return false }
                #expect(error.message == testCase.message)
                #expect(error.description == testCase.message)
                #expect(error.code == testCase.code)
                #expect(error.index == testCase.index)
                #expect(error.instance == testCase.instance)
                #expect(error.field == testCase.field)
                return true
            }
        }
    }

    @Test func inconsistentSnapshotsKeepTheSnapshotError() throws {
        var documents = SnapshotFile.documents([.primary(1), .replica(2, of: 1)])
        documents[1].masterKey = AnalysisSketch.key(9)
        #expect {
            _ = try OfflineAnalysis.run(
                snapshotJSON: SnapshotFile.data(documents), includeDowntimed: false, json: false,
                now: AnalysisSketch.now)
        } throws: { error in
            (error as? OfflineAnalysisError)?.underlying is SnapshotError
                && ((error as? OfflineAnalysisError)?.underlying as? SnapshotError)?.code == .unknownSource
        }
    }
}
