import BatonCore
import BatonTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A demoted primary is fenced when it comes back: DC1 (primary 1, replica 2, node 1) is cut off, the majority fails
/// over to a replica outside DC1, and while cut off the old primary stays writable with a client connected to it from
/// inside DC1 — exactly the split brain a partition makes. After the heal, a Baton node that reaches it must make it
/// read-only and kill that client, leave its `lost-in-recovery` downtime alone, and the recovery's audit must say so.
/// `BATON_FAULT_RUNS=N` repeats it; `BATON_FAULT_REPORT=FILE` collects the heal→read-only figures.
@Suite(.serialized) struct DemotedPrimaryFencingTests {
    /// `InstancePollSeconds` of the lab (`MariaDBSandbox.batonSettings`).
    static let pollSeconds = 1.0
    /// After the heal a node must (1) hold the recovery — node 1 catches up the Raft log within a heartbeat or an
    /// election (~1 s at 100 ms ticks), nodes 2 and 3 already do; (2) probe the old primary: its next poll, at most
    /// one poll interval away, plus the connect timeout (1 s) when a probe was mid-connect at the heal; (3) fence:
    /// woken by that probe's change, or by its own poll timer (one more poll interval). That is two poll intervals
    /// plus about two seconds; the rest is slack for a 2-core machine shared with other builds. This bound separates
    /// "fenced promptly" from "not fenced", it is not a latency target.
    static let readOnlyBound: Duration = .seconds(2 * pollSeconds + 13)

    @Test func theOldPrimaryIsFencedWhenThePartitionHeals() async throws {
        for run in 1...FaultRuns.count {
            try await fenceAfterHeal(run: run)
        }
    }

    func fenceAfterHeal(run: Int) async throws {
        let layout = DataCentreIsolationTests.threeDataCentres
        let lab = try await DataCentreLab.start(layout)
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        try await lab.makeLeader(0)

        // An application connection inside DC1, opened before the partition, busy for ten minutes.
        let client = try Self.startClient(lab, namespace: lab.lab.dataCentre(1).namespace)
        defer { if client.isRunning { _ = client.terminate(signal: SIGKILL, grace: 1) } }
        try await requireEventually("run \(run): the client never connected", interval: .milliseconds(200)) {
            Self.sleepingClients(lab) == 1
        }

        let clock = ContinuousClock()
        let isolatedAt = clock.now
        try lab.lab.isolate(1)
        let majority = [1, 2]
        let leader = try #require(
            try await lab.waitForLeader(among: majority), "run \(run): no leader on the majority side:\n\(lab.logs())")
        var recovery: TopologyRecoveryDocument?
        while clock.now - isolatedAt < .seconds(120), recovery == nil {
            recovery = await lab.recoveries(on: leader)?.first { !$0.recoveryEndTimestamp.isEmpty }
            if recovery == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let resolved = try #require(recovery, "run \(run): the majority did not recover:\n\(lab.logs())")
        try #require(resolved.isSuccessful, "run \(run): \(resolved.allErrors)")
        let successor = try #require(resolved.successorKey)

        // Cut off, nobody that knows of the recovery reaches the old primary: it is still writable, the client alive.
        try await Task.sleep(for: .seconds(2))
        #expect(try lab.sandbox.sql(1, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                "run \(run): the old primary was fenced before anyone could reach it and knew")
        #expect(client.isRunning && Self.sleepingClients(lab) == 1, "run \(run): the client died during the partition")

        let offsets = lab.logOffsets()
        try lab.lab.heal()
        let healedAt = clock.now
        var readOnlyAfter: Duration?
        while clock.now - healedAt < Self.readOnlyBound + .seconds(30), readOnlyAfter == nil {
            let value = (try? lab.sandbox.sql(1, "SELECT @@read_only"))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if value == "1" { readOnlyAfter = clock.now - healedAt } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let fencedAfter = try #require(readOnlyAfter, "run \(run): the old primary stayed writable:\n\(lab.logs())")
        #expect(fencedAfter <= Self.readOnlyBound, "run \(run): read-only only \(fencedAfter) after the heal")

        // The client's connection is killed (the process ends: its query was cut off).
        let clientKilled = await eventually(interval: .milliseconds(200)) {
            !client.isRunning && Self.sleepingClients(lab) == 0
        }
        #expect(clientKilled, "run \(run): the client survived the fence:\n\(lab.logs())")

        // Still downtimed lost-in-recovery, on every node; the audit on the leader says it was fenced.
        var downtimed = true
        for index in lab.nodes.indices {
            let document = try? await lab.nodes[index].api.decode(
                InstanceDocument.self, "instance/\(lab.sandbox.host(1))/\(lab.sandbox.port(1))")
            let ok = document?.isDowntimed == true && document?.downtimeReason == "lost-in-recovery"
            downtimed = downtimed && ok
            #expect(ok, "run \(run): node \(index + 1) sees the old primary \(document.map { "\($0.downtimeReason)" } ?? "?")")
        }
        let currentLeader = try #require(try await lab.waitForLeader(), "run \(run): no leader after the heal")
        var audit: [String] = []
        let audited = await eventually(interval: .milliseconds(200)) {
            audit = ((try? await lab.nodes[currentLeader].api.decode(
                [TopologyRecoveryStepDocument].self, "audit-recovery-steps/\(resolved.uid)")) ?? []).map(\.message)
            return audit.contains { $0.hasPrefix("fence: demoted primary \(lab.sandbox.key(1))") }
        }
        #expect(audited, "run \(run): the audit does not mention the fence: \(audit)\n\(lab.logs())")
        // Which nodes fenced (each logs its fence; only the leader writes the audit).
        var fencedBy: [Int] = []
        for index in lab.nodes.indices
        where lab.log(of: index, after: offsets[index]).contains(where: {
            $0.contains("Demoted primary fence") && $0.contains("set read-only")
        }) {
            fencedBy.append(index + 1)
        }
        FaultRuns.record([
            "scenario": "demoted-primary-fenced-after-heal", "run": run, "healToReadOnlySeconds": fencedAfter.seconds,
            "successor": "\(successor)", "fencedByNodes": fencedBy, "downtimed": downtimed,
            "auditLines": audit.filter { $0.hasPrefix("fence:") },
        ])
    }

    /// `SELECT SLEEP(600)` on server 1 from a `mariadb` client in `namespace`, as the Baton account (the fence
    /// kills every client connection, whoever it belongs to).
    static func startClient(_ lab: DataCentreLab, namespace: String) throws -> ChildProcess {
        let ip = try #require(["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        })
        let output = lab.root.appendingPathComponent("client.log").path
        return try ChildProcess(ip, [
            "netns", "exec", namespace, "mariadb", "--defaults-file=\(lab.sandbox.directory)/client.cnf",
            "-h", lab.sandbox.host(1), "-P", "\(lab.sandbox.port(1))", "-e", "SELECT SLEEP(600)",
        ], outputPath: output)
    }

    /// How many connections on server 1 run the client's query.
    static func sleepingClients(_ lab: DataCentreLab) -> Int {
        let count = try? lab.sandbox.sql(
            1, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(600)'")
        return Int(count?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }
}
