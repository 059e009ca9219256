import BatonCore
import BatonEngine
import BatonMySQL
import BatonTestSupport
import Foundation
import Testing

/// End-to-end recoveries: real MariaDB servers, a real `baton serve`, real Lua policies and real hook processes.
@Suite(.serialized) struct RecoveryAgainstMariaDBTests {
    struct SetupFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A sandbox, a daemon recovering it, and a directory where hooks leave their traces.
    struct Harness {
        var sandbox: MariaDBSandbox
        var daemon: BatonDaemon
        var api: APICaller
        var traces: URL

        func tearDown() {
            daemon.tearDown()
            sandbox.tearDown()
            try? FileManager.default.removeItem(at: traces)
        }

        func trace(_ name: String) -> String {
            (try? String(contentsOf: traces.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }

        /// The replication source and state of a server, as Baton's prober reads it.
        func replication(_ server: Int) async throws -> (source: InstanceKey?, replicating: Bool, readOnly: Bool) {
            let probing = try sandbox.probing()
            defer { Task { await probing.shutdown() } }
            let outcome = await probing.probe(sandbox.key(server))
            guard let facts = outcome.facts else {
                throw SetupFailure(description: "probe of server \(server) failed: \(String(describing: outcome.error))")
            }
            return (facts.replication?.sourceKey, facts.replication?.isReplicating ?? false, facts.readOnly)
        }

        /// Waits for a recovery that has ended (resolved), and returns it.
        func resolvedRecovery(count: Int = 1, timeout: Duration = .seconds(60)) async throws -> TopologyRecoveryDocument? {
            let (recoveries, done) = try await api.poll([TopologyRecoveryDocument].self, "audit-recovery", timeout: timeout) {
                $0.count >= count && $0.prefix(count).allSatisfy { !$0.recoveryEndTimestamp.isEmpty }
            }
            return done ? recoveries.first : nil
        }

        /// Polls `query` on `server` until it answers `expected` (10 s at most); returns the last answer.
        func waitForAnswer(_ server: Int, _ query: String, _ expected: String) async throws -> String {
            var seen = ""
            for _ in 0..<100 where seen != expected {
                seen = ((try? sandbox.sql(server, query)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if seen != expected { try await Task.sleep(for: .milliseconds(100)) }
            }
            return seen
        }

        func steps(_ uid: String) async throws -> [String] {
            try await api.decode([TopologyRecoveryStepDocument].self, "audit-recovery-steps/\(uid)").map(\.message)
        }
    }

    /// Starts servers and a daemon with `extra` configuration; `hooks` maps hook keys to command strings, with
    /// `TRACES` replaced by the trace directory.
    func start(
        _ topology: String, servers: Int, extra: [String: any Sendable] = [:], hooks: [String: [String]] = [:],
        policy: String? = nil
    ) async throws -> Harness {
        let traces = FileManager.default.temporaryDirectory.appendingPathComponent("baton-traces-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        let sandbox = try MariaDBSandbox.start(topology: topology)
        var settings = sandbox.batonSettings.merging(extra) { $1 }
        settings["RecoverMasterClusterFilters"] = settings["RecoverMasterClusterFilters"] ?? ["*"]
        settings["RecoverIntermediateMasterClusterFilters"] = settings["RecoverIntermediateMasterClusterFilters"] ?? ["*"]
        for (key, commands) in hooks {
            settings[key] = commands.map { $0.replacingOccurrences(of: "TRACES", with: traces.path) }
        }
        if let policy {
            let path = traces.appendingPathComponent("policy.lua")
            try policy.write(to: path, atomically: true, encoding: .utf8)
            settings["PolicyScript"] = path.path
        }
        let daemon: BatonDaemon
        do {
            daemon = try BatonDaemon(configuration: settings)
        } catch {
            sandbox.tearDown()
            throw error
        }
        let harness = Harness(sandbox: sandbox, daemon: daemon, api: APICaller(base: daemon.apiURL), traces: traces)
        guard await harness.api.waitUntilUp() else {
            harness.tearDown()
            throw SetupFailure(description: "baton serve did not come up:\n\(daemon.log())")
        }
        _ = try await harness.api.get("discover/127.0.0.1/\(sandbox.port(1))")
        let (_, ready) = try await harness.api.poll([InstanceDocument].self, "all-instances") { all in
            all.count == servers && all.allSatisfy(\.isLastCheckValid)
        }
        if !ready {
            let log = daemon.log()
            harness.tearDown()
            throw SetupFailure(description: "discovery incomplete:\n\(log)")
        }
        return harness
    }

    /// Promotes server 3 over server 2, which the built-in order (by key) would choose among equals.
    static let preferServer3 = """
        function rank(failed, candidates, context)
          local order, reasons = {}, {}
          for _, c in ipairs(candidates) do
            if c.port % 10 == 3 then table.insert(order, 1, c.key); reasons[c.key] = "server 3 is the chosen one"
            else table.insert(order, c.key) end
          end
          return order, reasons
        end
        """

    @Test func killedPrimaryIsReplacedByThePolicysCandidateAndTheOthersFollowIt() async throws {
        let postHook = "printf '%s %s %s %s\\n' {failureType} {failedHost}:{failedPort} {successorHost}:{successorPort} "
            + "\"$ORC_SUCCESSOR_PORT\" >> TRACES/post-master.log; cat > TRACES/post-master.json"
        let harness = try await start(
            "1 2:1 3:1 4:1", servers: 4,
            hooks: [
                "PreFailoverProcesses": ["echo {failureType} {failedPort} >> TRACES/pre.log"],
                "PostMasterFailoverProcesses": [postHook],
                "PostFailoverProcesses": ["echo {command}:{isSuccessful} >> TRACES/post.log"],
                "PostUnsuccessfulFailoverProcesses": ["echo unsuccessful >> TRACES/unsuccessful.log"],
            ],
            policy: Self.preferServer3)
        defer { harness.tearDown() }
        let sandbox = harness.sandbox

        try sandbox.kill(1)
        let recovery = try #require(try await harness.resolvedRecovery(), "\(harness.daemon.log())")
        let steps = try await harness.steps(recovery.uid)
        #expect(recovery.isSuccessful, "\(steps.joined(separator: "\n"))")
        #expect(recovery.successorKey == sandbox.key(3), "the policy's candidate: \(steps.joined(separator: "\n"))")
        #expect(recovery.analysisEntry?.analysis == .deadMaster)
        #expect(recovery.lostReplicas.isEmpty)
        #expect(recovery.policyHash.count == 64)
        #expect(steps.contains { $0.contains("policy ranking: \(sandbox.key(3))") })

        // The new primary is writable; the others replicate from it by GTID, and writes reach them.
        #expect(try await harness.replication(3).readOnly == false)
        for server in [2, 4] {
            let state = try await harness.replication(server)
            #expect(state.source == sandbox.key(3) && state.replicating, "server \(server): \(state)")
        }
        try sandbox.sql(3, "CREATE DATABASE IF NOT EXISTS failover; CREATE TABLE failover.t (id INT PRIMARY KEY); INSERT INTO failover.t VALUES (42)")
        for server in [2, 4] {
            let seen = try await harness.waitForAnswer(server, "SELECT id FROM failover.t", "42")
            #expect(seen == "42", "server \(server) did not receive the write on the new primary")
        }

        // The old primary is downtimed as lost in recovery.
        let downtimed = try await harness.api.decode([InstanceDocument].self, "downtimed")
        #expect(downtimed.map(\.key) == [sandbox.key(1)])

        // Hooks ran once each, with quoted placeholders, environment and the JSON document on stdin.
        #expect(harness.trace("pre.log") == "DeadMaster \(sandbox.port(1))\n")
        #expect(
            harness.trace("post-master.log")
                == "DeadMaster 127.0.0.1:\(sandbox.port(1)) 127.0.0.1:\(sandbox.port(3)) \(sandbox.port(3))\n")
        #expect(harness.trace("post.log") == ":true\n")
        #expect(harness.trace("unsuccessful.log").isEmpty)
        let stdin = try JSONSerialization.jsonObject(with: Data(harness.trace("post-master.json").utf8)) as? [String: Any]
        #expect((stdin?["SuccessorKey"] as? [String: Any])?["Port"] as? Int == sandbox.port(3))
        #expect(stdin?["RecoveryUID"] as? String == recovery.uid)
        #expect(stdin?["IsSuccessful"] as? Bool == true)

        // Anti-flapping: the new primary dies too soon after; the recovery is blocked until acknowledged.
        try sandbox.kill(3)
        let (blocked, wasBlocked) = try await harness.api.poll([BlockedRecoveryDocument].self, "blocked-recoveries") {
            $0.contains { $0.failedInstanceKey == sandbox.key(3) }
        }
        #expect(wasBlocked, "\(blocked)")
        #expect(blocked.first { $0.failedInstanceKey == sandbox.key(3) }?.blockingRecoveryId == recovery.id)
        let all = try await harness.api.decode([TopologyRecoveryDocument].self, "audit-recovery")
        #expect(all.count == 1, "no second recovery while blocked")

        let (status, _) = try await harness.api.get("ack-all-recoveries?comment=flapping%20test")
        #expect(status == 200)
        let second = try #require(try await harness.resolvedRecovery(count: 2), "\(harness.daemon.log())")
        #expect(second.isSuccessful)
        #expect(second.successorKey == sandbox.key(2) || second.successorKey == sandbox.key(4))
        #expect(harness.trace("post-master.log").split(separator: "\n").count == 2)
    }

    @Test func killedIntermediatePrimaryHandsItsReplicasToItsSource() async throws {
        let harness = try await start(
            "1 2:1 3:2 4:2", servers: 4,
            hooks: ["PostIntermediateMasterFailoverProcesses": ["echo {failedPort} {successorPort} >> TRACES/post-im.log"]])
        defer { harness.tearDown() }
        let sandbox = harness.sandbox

        try sandbox.kill(2)
        let recovery = try #require(try await harness.resolvedRecovery(), "\(harness.daemon.log())")
        let steps = try await harness.steps(recovery.uid)
        #expect(recovery.isSuccessful, "\(steps.joined(separator: "\n"))")
        #expect(recovery.type == "IntermediateMasterRecovery")
        #expect(recovery.successorKey == sandbox.key(1))
        for server in [3, 4] {
            let state = try await harness.replication(server)
            #expect(state.source == sandbox.key(1) && state.replicating, "server \(server): \(state)")
        }
        #expect(harness.trace("post-im.log") == "\(sandbox.port(2)) \(sandbox.port(1))\n")
    }

    @Test func aVetoingPolicyLeavesEveryServerAloneAndTheAuditSaysWhy() async throws {
        let harness = try await start(
            "1 2:1 3:1", servers: 3,
            hooks: ["PreFailoverProcesses": ["echo ran >> TRACES/pre.log"]],
            policy: """
                function rank(failed, candidates, context)
                  return nil, "maintenance window: no failover on " .. context.cluster
                end
                """)
        defer { harness.tearDown() }
        let sandbox = harness.sandbox

        try sandbox.kill(1)
        let recovery = try #require(try await harness.resolvedRecovery(), "\(harness.daemon.log())")
        #expect(!recovery.isSuccessful)
        #expect(!recovery.isAttempted)
        #expect(recovery.allErrors.contains { $0.contains("vetoed") && $0.contains("maintenance window") })
        let steps = try await harness.steps(recovery.uid)
        #expect(steps.contains { $0.hasPrefix("not attempted: the policy vetoed the recovery: maintenance window") })
        #expect(harness.trace("pre.log").isEmpty, "no pre-failover hook after a veto")
        for server in [2, 3] {
            let state = try await harness.replication(server)
            #expect(state.source == sandbox.key(1) && state.readOnly, "server \(server) was changed: \(state)")
        }
    }

    @Test func aRunawayPolicyFallsBackToTheBuiltInRulesAndIsReported() async throws {
        let harness = try await start(
            "1 2:1 3:1", servers: 3, extra: ["PolicyTimeLimitMilliseconds": 200, "PolicyFailureMode": "builtin"],
            policy: """
                function rank(failed, candidates, context)
                  while true do end
                end
                """)
        defer { harness.tearDown() }
        let sandbox = harness.sandbox

        try sandbox.kill(1)
        let recovery = try #require(try await harness.resolvedRecovery(), "\(harness.daemon.log())")
        let steps = try await harness.steps(recovery.uid)
        #expect(recovery.isSuccessful, "\(steps.joined(separator: "\n"))")
        #expect(recovery.successorKey == sandbox.key(2), "the built-in order among equals")
        #expect(steps.contains { $0.contains("policy rank failed") && $0.contains("PolicyFailureMode builtin") })
        let (status, _) = try await harness.api.get("health")
        #expect(status == 200)
    }

    @Test func aHangingPreFailoverHookIsKilledAndTheRecoveryNotAttempted() async throws {
        let harness = try await start(
            "1 2:1 3:1", servers: 3, extra: ["HookTimeoutSeconds": 1],
            hooks: ["PreFailoverProcesses": ["echo $$ > TRACES/hook.pid; sleep 600"]])
        defer { harness.tearDown() }
        let sandbox = harness.sandbox

        try sandbox.kill(1)
        let recovery = try #require(try await harness.resolvedRecovery(), "\(harness.daemon.log())")
        #expect(!recovery.isAttempted)
        let steps = try await harness.steps(recovery.uid)
        #expect(steps.contains { $0.contains("PreFailoverProcesses") && $0.contains("timed out") }, "\(steps)")
        // The hook's process group is gone.
        // The hook's process is gone (checked by what runs under its pid: on a busy machine a pid is soon reused).
        let pid = Int32(harness.trace("hook.pid").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(pid > 0)
        let commandLine = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        #expect(!commandLine.contains("sleep"), "the hanging hook still runs: \(commandLine)")
        for server in [2, 3] {
            let state = try await harness.replication(server)
            #expect(state.source == sandbox.key(1), "server \(server) was changed")
        }
    }

    @Test func gracefulTakeoverLeavesTheOldPrimaryReplicatingFromTheNewOne() async throws {
        let harness = try await start(
            "1 2:1 3:1", servers: 3,
            extra: ["MySQLReplicationUser": "repl", "MySQLReplicationPassword": "repl_pw"],
            hooks: ["PostGracefulTakeoverProcesses": ["echo {command} {successorPort} >> TRACES/graceful.log"]])
        defer { harness.tearDown() }
        let sandbox = harness.sandbox
        try sandbox.sql(1, "CREATE DATABASE IF NOT EXISTS takeover; CREATE TABLE takeover.t (id INT PRIMARY KEY); INSERT INTO takeover.t VALUES (1)")

        let (status, body) = try await harness.api.get(
            "graceful-master-takeover-auto/127.0.0.1/\(sandbox.port(1))/127.0.0.1/\(sandbox.port(2))")
        let answer = try JSONDecoder().decode(APIResponse<TopologyRecoveryDocument>.self, from: body)
        #expect(status == 200, "\(answer.message)")
        #expect(answer.details?.successorKey == sandbox.key(2))
        #expect(answer.details?.command == "graceful-master-takeover")

        #expect(try await harness.replication(2).readOnly == false)
        for server in [1, 3] {
            // The old primary's replication was started last: give its IO thread time to connect.
            var state = try await harness.replication(server)
            for _ in 0..<100 where !(state.source == sandbox.key(2) && state.replicating) {
                try await Task.sleep(for: .milliseconds(100))
                state = try await harness.replication(server)
            }
            #expect(state.source == sandbox.key(2) && state.replicating, "server \(server): \(state)")
        }
        try sandbox.sql(2, "INSERT INTO takeover.t VALUES (2)")
        let seen = try await harness.waitForAnswer(1, "SELECT MAX(id) FROM takeover.t", "2")
        #expect(seen == "2", "the old primary did not receive the new primary's write")
        #expect(harness.trace("graceful.log") == "graceful-master-takeover \(sandbox.port(2))\n")
        let downtimed = try await harness.api.decode([InstanceDocument].self, "downtimed")
        #expect(downtimed.isEmpty, "a graceful takeover loses nobody")
    }
}
