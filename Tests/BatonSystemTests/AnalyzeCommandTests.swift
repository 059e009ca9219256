import BatonCore
import BatonTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `baton analyze` as an operator runs it: the real binary on snapshot files, no server.
@Suite struct AnalyzeCommandTests {
    /// A temporary directory with snapshot files, removed by `tearDown`.
    final class Workspace: Sendable {
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("baton-analyze-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func write(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }

        /// Runs `baton ARGUMENTS` with stdin from `input` (a path) or /dev/null; returns status, stdout, stderr.
        func baton(_ arguments: [String], input: String? = nil) throws
            -> (status: Int32, stdout: String, stderr: String)
        {
            let out = directory.appendingPathComponent("out-\(UUID().uuidString)").path
            let err = directory.appendingPathComponent("err-\(UUID().uuidString)").path
            var descriptor: Int32?
            if let input {
                descriptor = open(input, O_RDONLY)
                try #require(descriptor ?? -1 >= 0, "cannot open \(input)")
            }
            defer { descriptor.map { _ = close($0) } }
            let child = try ChildProcess(
                BatonDaemon.binary, arguments, outputPath: out, errorPath: err, standardInput: descriptor)
            let status = child.wait()
            return (
                status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            )
        }

        func tearDown() { try? FileManager.default.removeItem(at: directory) }
    }

    static let seen = Date(timeIntervalSince1970: 1_700_000_000)
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "db.example", port: port) }

    /// A MariaDB instance as a probe would have left it; `source` makes it a replica with both threads running.
    static func instance(_ port: Int, source: Int? = nil, reachable: Bool = true) -> Instance {
        var instance = Instance(key: key(port))
        instance.lastAttempted = reachable ? seen : seen.addingTimeInterval(1)
        instance.lastChecked = instance.lastAttempted
        instance.lastSeen = seen
        instance.facts.serverID = UInt32(port)
        instance.facts.version = ServerVersion(parsing: "10.11.6-MariaDB-log")
        instance.facts.logBinEnabled = true
        instance.facts.logReplicaUpdatesEnabled = true
        instance.facts.binlogFormat = "ROW"
        if let source {
            instance.sourceKey = key(source)
            instance.facts.replication = ReplicationStatus(
                sourceKey: key(source), ioThread: .running, sqlThread: .running, secondsBehindSource: 0,
                usingGTID: "Slave_Pos")
        }
        return instance
    }

    /// A replica whose IO thread retries a source that is gone.
    static func reconnecting(_ port: Int, source: Int) -> Instance {
        var replica = instance(port, source: source)
        replica.facts.replication?.ioThread = .other
        replica.facts.replication?.lastIOError =
            "error reconnecting to master 'repl@\(key(source))' - retry-time: 1  maximum-retries: 86400"
        replica.facts.replication?.secondsBehindSource = nil
        return replica
    }

    /// The Instance documents `GET /api/all-instances` would return for `instances`.
    static func snapshot(_ instances: [Instance]) throws -> Data {
        let resolved = AnalysisSnapshot.resolving(instances, now: seen).instances
        return try JSONEncoder().encode(resolved.map { InstanceDocument($0, now: seen, pollSeconds: 5) })
    }

    /// Primary 1 crashed, its replicas 2 and 3 reconnecting; a healthy second cluster, 4 → 5.
    static func deadMaster() throws -> Data {
        try snapshot([
            instance(1, reachable: false), reconnecting(2, source: 1), reconnecting(3, source: 1),
            instance(4), instance(5, source: 4),
        ])
    }

    static let deadMasterLines = """
        db.example:1 (cluster db.example:1): DeadMaster
        db.example:2 (cluster db.example:1): FirstTierReplicaFailingToConnectToMaster
        db.example:3 (cluster db.example:1): FirstTierReplicaFailingToConnectToMaster

        """

    @Test func deadMasterSnapshotPrintsTheVerdict() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        let file = try workspace.write("snap.json", Self.deadMaster())
        let result = try workspace.baton(["analyze", "--snapshot", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.deadMasterLines)
        #expect(result.stderr == "")

        let fromStdin = try workspace.baton(["analyze", "--snapshot", "-"], input: file)
        #expect(fromStdin.status == 0 && fromStdin.stdout == Self.deadMasterLines, "\(fromStdin)")

        let healthy = try workspace.write("healthy.json", Self.snapshot([Self.instance(4), Self.instance(5, source: 4)]))
        let quiet = try workspace.baton(["analyze", "--snapshot", healthy])
        #expect(quiet.status == 0 && quiet.stdout == "" && quiet.stderr == "", "\(quiet)")
    }

    @Test func downtimedPrimaryIsHiddenUnlessIncluded() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        var documents = try JSONDecoder().decode([InstanceDocument].self, from: Self.deadMaster())
        let primary = try #require(documents.firstIndex { $0.key == Self.key(1) })
        documents[primary].isDowntimed = true
        documents[primary].downtimeOwner = "ops"
        documents[primary].downtimeReason = "kernel upgrade"
        let file = try workspace.write("downtimed.json", JSONEncoder().encode(documents))

        let hidden = try workspace.baton(["analyze", "--snapshot", file])
        #expect(hidden.status == 0)
        #expect(!hidden.stdout.contains("DeadMaster\n") && hidden.stdout.contains("FirstTier"), "\(hidden.stdout)")
        let shown = try workspace.baton(["analyze", "--snapshot", file, "--include-downtimed"])
        #expect(shown.status == 0 && shown.stdout == Self.deadMasterLines, "\(shown)")
    }

    @Test func jsonPrintsTheFullAnalysis() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        let file = try workspace.write("snap.json", Self.deadMaster())
        let result = try workspace.baton(["analyze", "--json", "--snapshot", file])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try JSONDecoder().decode([ReplicationAnalysis].self, from: Data(result.stdout.utf8))
        #expect(rows.map(\.analyzedInstanceKey) == [1, 2, 3, 4].map(Self.key))
        #expect(rows.map(\.analysis.rawValue) == [
            "DeadMaster", "FirstTierReplicaFailingToConnectToMaster", "FirstTierReplicaFailingToConnectToMaster",
            "NoProblem",
        ])
        #expect(rows[0].countReplicas == 2 && rows[0].countValidReplicatingReplicas == 0 && !rows[0].lastCheckValid)
        #expect(result.stdout.contains("\n    \"IsDowntimed\" : false,\n"))
        #expect(result.stdout.contains("\n    \"SkippableDueToDowntime\" : false,\n"))
    }

    @Test func malformedSnapshotExitsOne() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        let notJSON = try workspace.write("notjson.json", Data("<html>502 Bad Gateway</html>\n".utf8))
        let result = try workspace.baton(["analyze", "--snapshot", notJSON])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            baton: \(notJSON): the snapshot is not valid JSON: Invalid value around character 0 (line 1, column 1)

            """)

        var objects = try #require(
            JSONSerialization.jsonObject(with: Self.deadMaster()) as? [[String: Any]])
        objects[1]["MasterKey"] = nil
        let missing = try workspace.write("missing.json", JSONSerialization.data(withJSONObject: objects))
        let missingResult = try workspace.baton(["analyze", "--snapshot", missing, "--json"])
        #expect(missingResult.status == 1)
        #expect(missingResult.stderr == """
            baton: \(missing): entry 2 of the snapshot (db.example:2) has no "MasterKey" field

            """)
    }

    @Test func inconsistentSnapshotNamesTheInstance() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        var documents = try JSONDecoder().decode([InstanceDocument].self, from: Self.deadMaster())
        let orphan = try #require(documents.firstIndex { $0.key == Self.key(5) })
        documents[orphan].masterKey = InstanceKey(hostname: "db.example", port: 9)
        let file = try workspace.write("orphan.json", JSONEncoder().encode(documents))
        let result = try workspace.baton(["analyze", "--snapshot", file])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            baton: \(file): db.example:5 replicates from db.example:9, which is not in the snapshot

            """)

        documents = try JSONDecoder().decode([InstanceDocument].self, from: Self.deadMaster())
        documents.append(documents[0])
        let duplicate = try workspace.write("duplicate.json", JSONEncoder().encode(documents))
        let duplicateResult = try workspace.baton(["analyze", "--snapshot", duplicate])
        #expect(duplicateResult.status == 1)
        #expect(duplicateResult.stderr.hasPrefix("baton: \(duplicate): db.example:"))
        #expect(duplicateResult.stderr.contains(" appears twice in the snapshot (entries 1 and 6)\n"))
    }

    @Test func unreadableFileExitsSixtySix() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        let missing = workspace.directory.appendingPathComponent("nonexistent.json").path
        let result = try workspace.baton(["analyze", "--snapshot", missing])
        #expect(result.status == 66)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("baton: cannot read the snapshot \(missing): "))
        #expect(result.stderr.hasSuffix("\n") && result.stderr.split(separator: "\n").count == 1)

        let directory = try workspace.baton(["analyze", "--snapshot", workspace.directory.path])
        #expect(directory.status == 66, "\(directory)")
    }

    @Test func usageErrorsExitSixtyFour() throws {
        let workspace = try Workspace()
        defer { workspace.tearDown() }
        let result = try workspace.baton(["analyze"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--snapshot"))
        let unknown = try workspace.baton(["analyze", "--snapshot", "x.json", "--verbose"])
        #expect(unknown.status == 64)
    }
}
