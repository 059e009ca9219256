import BatonCore
import Foundation
import Testing

@Suite struct AnalysisSnapshotDocumentTests {
    private static func documents(_ nodes: [Node]) -> [InstanceDocument] {
        AnalysisSketch.snapshot(nodes).instances.map {
            InstanceDocument($0, now: AnalysisSketch.now, pollSeconds: 5)
        }
    }

    /// Sketches replayed through Instance documents must give exactly the rows of the in-process analysis.
    static let roundTripSketches: [[Node]] = [
        [.primary(1).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).stopped],
        [.primary(1).dead, .replica(2, of: 1).dead, .replica(3, of: 1).lagging()],
        [.primary(1).partial, .replica(2, of: 1).failingToConnect, .replica(3, of: 1)],
        [.primary(1), .replica(2, of: 1).dead, .replica(3, of: 2).failingToConnect, .replica(4, of: 2).delayed()],
        [.replica(1, of: 2).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).positional],
        [.primary(1).semiSync(waitFor: 2, clients: 1).readOnly, .replica(2, of: 1).binlog("MIXED").noLogging],
        [
            .primary(1).mysql(
                uuid: "00000000-0000-0000-0000-000000000001", executed: "00000000-0000-0000-0000-000000000001:1-9"),
            .replica(2, of: 1).mysql(
                uuid: "00000000-0000-0000-0000-000000000002",
                executed: "00000000-0000-0000-0000-000000000001:1-9,00000000-0000-0000-0000-000000000002:1"),
            .replica(3, of: 1).version("5.7.44-log").gtidMode("OFF").positional,
        ],
        [.primary(1), .replica(2, of: 1).failingToConnect("error connecting to source 'repl@h:1'")],
    ]

    @Test(arguments: roundTripSketches)
    func replayingDocumentsGivesTheSameRows(nodes: [Node]) throws {
        let direct = AnalysisSketch.analyze(nodes)
        let json = try JSONEncoder().encode(Self.documents(nodes))
        let decoded = try JSONDecoder().decode([InstanceDocument].self, from: json)
        let replayed = try ReplicationAnalyzer.analyze(
            AnalysisSnapshot.fromDocuments(decoded, now: AnalysisSketch.now))
        #expect(replayed == direct)
    }

    @Test func convertsAReplicaDocument() throws {
        let document = try #require(
            Self.documents([.primary(1), .replica(2, of: 1).failingToConnect.lagging(30).delayed(60)]).last)
        let instance = try Instance(document: document, now: AnalysisSketch.now)
        let replication = try #require(instance.facts.replication)
        #expect(instance.sourceKey == AnalysisSketch.key(1))
        #expect(replication.ioThread == .other && replication.sqlThread == .running)
        #expect(replication.secondsBehindSource == 30 && replication.sqlDelaySeconds == 60)
        #expect(replication.usesGTIDPositioning)
        #expect(instance.lastSeen == AnalysisSketch.seen)
        #expect(instance.isLastCheckValid(pollSeconds: 5))
        #expect(instance.facts.version?.majorVersion == "10.11")
    }

    @Test func primaryDocumentHasNoReplication() throws {
        let document = try #require(Self.documents([.primary(1)]).first)
        let instance = try Instance(document: document, now: AnalysisSketch.now)
        #expect(instance.sourceKey == nil && instance.facts.replication == nil)
    }

    @Test func isLastCheckValidIsAuthoritative() throws {
        var documents = Self.documents([.primary(1), .replica(2, of: 1).failingToConnect, .replica(3, of: 1).stopped])
        documents[0].isLastCheckValid = false
        let rows = ReplicationAnalyzer.analyze(try AnalysisSnapshot.fromDocuments(documents, now: AnalysisSketch.now))
        #expect(rows.first?.analysis == .deadMaster)

        documents[0].isLastCheckValid = true
        documents[1].isLastCheckValid = false
        documents[2].isLastCheckValid = false
        let replicasDown = ReplicationAnalyzer.analyze(
            try AnalysisSnapshot.fromDocuments(documents, now: AnalysisSketch.now))
        #expect(replicasDown.first?.analysis == .noProblem)
        #expect(replicasDown.first?.countValidReplicas == 0)
    }

    @Test func validDocumentWithoutTimestampsIsSeenNow() throws {
        var document = try #require(Self.documents([.primary(1).dead]).first)
        document.lastSeenTimestamp = ""
        document.lastCheckedTimestamp = ""
        document.lastAttemptedTimestamp = ""
        document.isLastCheckValid = true
        let instance = try Instance(document: document, now: AnalysisSketch.now)
        #expect(instance.lastSeen == AnalysisSketch.now)
        #expect(instance.isLastCheckValid(pollSeconds: 5))
        document.isLastCheckValid = false
        #expect(try !Instance(document: document, now: AnalysisSketch.now).isLastCheckValid(pollSeconds: 5))
    }

    @Test func downtimedDocumentsBecomeDowntimes() throws {
        var documents = Self.documents([.primary(1).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1)])
        documents[0].isDowntimed = true
        documents[0].downtimeOwner = "ops"
        documents[0].downtimeReason = "upgrade"
        documents[0].downtimeEndTimestamp = "2023-11-14 23:13:22"
        documents[2].isDowntimed = true
        documents[2].downtimeEndTimestamp = "2023-11-14 22:00:00"  // already past: kept, end unknown
        let snapshot = try AnalysisSnapshot.fromDocuments(documents, now: AnalysisSketch.now)
        #expect(snapshot.downtimes.count == 2)
        #expect(snapshot.downtimes[0].owner == "ops" && snapshot.downtimes[0].reason == "upgrade")
        #expect(snapshot.downtimes[1].endsAt == .distantFuture)
        let row = try #require(ReplicationAnalyzer.analyze(snapshot).first)
        #expect(row.isDowntimed && row.skippableDueToDowntime)
        #expect(row.downtimeEndTimestamp == "2023-11-14 23:13:22" && row.downtimeRemainingSeconds == 3600)
        #expect(row.countDowntimedReplicas == 1)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var change: @Sendable (inout [InstanceDocument]) -> Void
        var code: SnapshotError.Code
        var message: String
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        .init(
            name: "duplicate key", change: { $0[2].key = AnalysisSketch.key(2) }, code: .duplicateKey,
            message: "127.0.0.1:2 appears twice in the snapshot (entries 2 and 3)"),
        .init(
            name: "replica of an unknown instance", change: { $0[2].masterKey = AnalysisSketch.key(9) },
            code: .unknownSource, message: "127.0.0.1:3 replicates from 127.0.0.1:9, which is not in the snapshot"),
        .init(
            name: "key without a port", change: { $0[1].key = InstanceKey(hostname: "db2", port: 0) },
            code: .invalidKey,
            message: "instance key \"db2:0\" is invalid: it needs a host name and a port in 1...65535"),
        .init(
            name: "key without a host", change: { $0[1].key = InstanceKey(hostname: "", port: 3306) },
            code: .invalidKey,
            message: "instance key \":3306\" is invalid: it needs a host name and a port in 1...65535"),
        .init(
            name: "master key with a port out of range",
            change: { $0[1].masterKey = InstanceKey(hostname: "127.0.0.1", port: 70000) }, code: .invalidKey,
            message: "127.0.0.1:2 has an invalid MasterKey \"127.0.0.1:70000\": the port must be in 1...65535"),
        .init(
            name: "malformed LastSeenTimestamp", change: { $0[0].lastSeenTimestamp = "2023-11-14T22:13:20Z" },
            code: .invalidTimestamp,
            message:
                "127.0.0.1:1 has LastSeenTimestamp \"2023-11-14T22:13:20Z\", which is not a yyyy-MM-dd HH:mm:ss time"),
        .init(
            name: "impossible date", change: { $0[0].lastCheckedTimestamp = "2023-02-30 10:00:00" },
            code: .invalidTimestamp,
            message:
                "127.0.0.1:1 has LastCheckedTimestamp \"2023-02-30 10:00:00\", "
                + "which is not a yyyy-MM-dd HH:mm:ss time"),
        .init(
            name: "malformed DowntimeEndTimestamp",
            change: {
                $0[1].isDowntimed = true
                $0[1].downtimeEndTimestamp = "tomorrow"
            }, code: .invalidTimestamp,
            message: "127.0.0.1:2 has DowntimeEndTimestamp \"tomorrow\", which is not a yyyy-MM-dd HH:mm:ss time"),
    ]

    @Test(arguments: errorCases)
    func rejectsInconsistentSnapshots(_ testCase: ErrorCase) {
        var documents = Self.documents([.primary(1), .replica(2, of: 1), .replica(3, of: 1)])
        testCase.change(&documents)
        #expect {
            _ = try AnalysisSnapshot.fromDocuments(documents, now: AnalysisSketch.now)
        } throws: { error in
            guard let error = error as? SnapshotError else { return false }
            return error.code == testCase.code && error.message == testCase.message
                && error.description == testCase.message
        }
    }

    @Test func emptySnapshotHasNoRows() throws {
        #expect(ReplicationAnalyzer.analyze(try AnalysisSnapshot.fromDocuments([], now: AnalysisSketch.now)).isEmpty)
    }

    @Test func detachedOrEmptyMasterKeyMeansPrimary() throws {
        var documents = Self.documents([.primary(1), .replica(2, of: 1).stopped])
        documents[1].masterKey = InstanceKey(hostname: "//127.0.0.1", port: 1)
        let snapshot = try AnalysisSnapshot.fromDocuments(documents, now: AnalysisSketch.now)
        #expect(snapshot.instances.allSatisfy { $0.sourceKey == nil })
        #expect(snapshot.instances[1].facts.replication?.sqlThread == .stopped)
    }
}
