import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Three real `baton serve` processes forming a Raft group over TCP (with a shared secret), watching real MariaDB
/// servers: one leader, forwarding from followers, replicated state, and a recovery run once, by the leader only.
@Suite(.serialized) struct RaftGroupAgainstMariaDBTests {
    struct SetupFailure: Error, CustomStringConvertible {
        var description: String
    }

    struct Group {
        var sandbox: MariaDBSandbox
        var daemons: [BatonDaemon]
        var apis: [APICaller]
        var raftAddresses: [String]
        var traces: URL

        func tearDown() {
            for daemon in daemons { daemon.tearDown() }
            sandbox.tearDown()
            try? FileManager.default.removeItem(at: traces)
        }

        func logs() -> String {
            zip(raftAddresses, daemons).map { "== \($0)\n\($1.log().suffix(4000))" }.joined(separator: "\n")
        }

        /// The indexes of the nodes whose `leader-check` answers 200, among `alive`.
        func leaders(among alive: [Int]) async -> [Int] {
            var found: [Int] = []
            for index in alive {
                if let (status, _) = try? await apis[index].get("leader-check"), status == 200 { found.append(index) }
            }
            return found
        }

        /// Waits until exactly one of `alive` leads, and returns it.
        func waitForLeader(among alive: [Int], timeout: Duration = .seconds(30)) async throws -> Int? {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                let found = await leaders(among: alive)
                if found.count == 1 { return found[0] }
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
    }

    func start(_ topology: String, servers: Int, extra: [String: any Sendable] = [:]) async throws -> Group {
        let traces = FileManager.default.temporaryDirectory.appendingPathComponent("baton-raft-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        let sandbox = try MariaDBSandbox.start(topology: topology)
        var ports: [Int] = []
        while ports.count < 3 {
            let port = ProcessRunner.freePort()
            if !ports.contains(port) { ports.append(port) }
        }
        let addresses = ports.map { "127.0.0.1:\($0)" }
        var daemons: [BatonDaemon] = []
        do {
            for (index, address) in addresses.enumerated() {
                var settings = sandbox.batonSettings
                settings["RecoverMasterClusterFilters"] = ["*"]
                settings["RaftEnabled"] = true
                settings["RaftBind"] = address
                settings["RaftNodes"] = addresses
                settings["RaftDataDir"] = traces.appendingPathComponent("raft-\(index)").path
                settings["RaftSharedSecret"] = "a shared secret for the test"
                settings["RaftTickMilliseconds"] = 100
                settings["PostFailoverProcesses"] = ["echo {orchestratorHost} {successorPort} >> \(traces.path)/post.log"]
                for (key, value) in extra {
                    settings[key] = (value as? [String])?.map { $0.replacingOccurrences(of: "TRACES", with: traces.path) }
                        ?? value
                }
                daemons.append(try BatonDaemon(configuration: settings))
            }
        } catch {
            for daemon in daemons { daemon.tearDown() }
            sandbox.tearDown()
            throw error
        }
        let group = Group(
            sandbox: sandbox, daemons: daemons, apis: daemons.map { APICaller(base: $0.apiURL) }, raftAddresses: addresses,
            traces: traces)
        for api in group.apis where !(await api.waitUntilUp()) {
            let logs = group.logs()
            group.tearDown()
            throw SetupFailure(description: "a node did not come up:\n\(logs)")
        }
        return group
    }

    @Test func oneLeaderRecoversOnceAndEveryNodeHoldsTheSameHistory() async throws {
        let group = try await start("1 2:1 3:1", servers: 3)
        defer { group.tearDown() }
        let sandbox = group.sandbox
        let leader = try #require(try await group.waitForLeader(among: [0, 1, 2]), "no single leader:\n\(group.logs())")
        let follower = (leader + 1) % 3

        // A mutating call on a follower is forwarded to the leader; every node then watches the topology.
        let (status, body) = try await group.apis[follower].get("discover/127.0.0.1/\(sandbox.port(1))")
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        for api in group.apis {
            let (_, ready) = try await api.poll([InstanceDocument].self, "all-instances") { all in
                all.count == 3 && all.allSatisfy(\.isLastCheckValid)
            }
            #expect(ready, "a node does not watch the whole topology:\n\(group.logs())")
        }
        // An operator decision made through a follower reaches every node's store.
        _ = try await group.apis[follower].get("begin-downtime/127.0.0.1/\(sandbox.port(3))/ops/test/1h")
        for api in group.apis {
            let (_, replicated) = try await api.poll([InstanceDocument].self, "downtimed", timeout: .seconds(10)) {
                $0.map(\.key) == [sandbox.key(3)]
            }
            #expect(replicated)
        }
        _ = try await group.apis[follower].get("end-downtime/127.0.0.1/\(sandbox.port(3))")

        try sandbox.kill(1)
        var histories: [[TopologyRecoveryDocument]] = []
        for api in group.apis {
            let (recoveries, done) = try await api.poll([TopologyRecoveryDocument].self, "audit-recovery") {
                $0.count == 1 && !$0[0].recoveryEndTimestamp.isEmpty
            }
            #expect(done, "\(group.logs())")
            histories.append(recoveries)
        }
        let recovery = try #require(histories.first?.first)
        #expect(recovery.isSuccessful)
        #expect(recovery.processingNodeHostname == group.raftAddresses[leader])
        for history in histories {
            #expect(history.map(\.uid) == [recovery.uid], "every node holds the same recovery")
            #expect(history.first?.successorKey == recovery.successorKey)
        }
        // The hook ran once, on the leader.
        let hooks = (try? String(contentsOf: group.traces.appendingPathComponent("post.log"), encoding: .utf8)) ?? ""
        #expect(hooks.split(separator: "\n") == ["\(group.raftAddresses[leader]) \(recovery.successorKey?.port ?? 0)"])
        // Steps are written by the trail's own writer, behind the resolution: poll for the last ones.
        let (_, replicatedTrail) = try await group.apis[follower].poll(
            [TopologyRecoveryStepDocument].self, "audit-recovery-steps/\(recovery.uid)", timeout: .seconds(15)
        ) { $0.contains { $0.message.hasPrefix("resolved: successful") } }
        #expect(replicatedTrail, "the audit trail is replicated")

        // kill -9 of the leader: the other two elect a new leader, which holds the history and does not recover again.
        group.daemons[leader].kill()
        let alive = [0, 1, 2].filter { $0 != leader }
        let newLeader = try #require(try await group.waitForLeader(among: alive), "no new leader:\n\(group.logs())")
        let after = try await group.apis[newLeader].decode([TopologyRecoveryDocument].self, "audit-recovery")
        #expect(after.map(\.uid) == [recovery.uid])
        #expect((try? String(contentsOf: group.traces.appendingPathComponent("post.log"), encoding: .utf8))?
            .split(separator: "\n").count == 1)
    }

    /// kill -9 of the leader while its recovery waits in a pre-failover hook, before it changed any server: the new
    /// leader resolves that recovery as interrupted and not attempted and never runs it again; since it touched no
    /// server it does not block the cluster, so the new leader recovers it with a recovery of its own.
    @Test func aRecoveryInterruptedByTheLeadersDeathIsNotRunTwice() async throws {
        let group = try await start(
            "1 2:1 3:1", servers: 3,
            extra: ["PreFailoverProcesses": ["echo {orchestratorHost} >> TRACES/pre.log; sleep 30"], "HookTimeoutSeconds": 60])
        defer { group.tearDown() }
        let sandbox = group.sandbox
        let leader = try #require(try await group.waitForLeader(among: [0, 1, 2]), "no single leader:\n\(group.logs())")
        _ = try await group.apis[leader].get("discover/127.0.0.1/\(sandbox.port(1))")
        for api in group.apis {
            let (_, ready) = try await api.poll([InstanceDocument].self, "all-instances") { all in
                all.count == 3 && all.allSatisfy(\.isLastCheckValid)
            }
            #expect(ready)
        }

        try sandbox.kill(1)
        let pre = group.traces.appendingPathComponent("pre.log")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline, !FileManager.default.fileExists(atPath: pre.path) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(FileManager.default.fileExists(atPath: pre.path), "the leader never reached its pre-failover hook")
        let interrupted = try #require(
            try await group.apis[leader].decode([TopologyRecoveryDocument].self, "audit-recovery").first)
        group.daemons[leader].kill()

        let alive = [0, 1, 2].filter { $0 != leader }
        let newLeader = try #require(try await group.waitForLeader(among: alive), "no new leader:\n\(group.logs())")
        let (recoveries, resolved) = try await group.apis[newLeader].poll(
            [TopologyRecoveryDocument].self, "audit-recovery", timeout: .seconds(30)
        ) { $0.contains { $0.uid == interrupted.uid && !$0.recoveryEndTimestamp.isEmpty } }
        #expect(resolved, "\(group.logs())")
        let recovery = try #require(recoveries.first { $0.uid == interrupted.uid })
        #expect(recovery.id == interrupted.id, "the same id on every node")
        #expect(!recovery.isSuccessful)
        #expect(!recovery.isAttempted, "it never reached the executing mark")
        #expect(recovery.allErrors.contains { $0.hasPrefix("interrupted") }, "\(recovery.allErrors)")
        // Any other recovery is the new leader's own, never the interrupted one run again.
        let after = try await group.apis[newLeader].decode([TopologyRecoveryDocument].self, "audit-recovery")
        #expect(after.filter { $0.uid == interrupted.uid }.count == 1)
        #expect(after.filter { $0.uid != interrupted.uid }.allSatisfy { $0.processingNodeHostname != interrupted.processingNodeHostname })
        let preLines = ((try? String(contentsOf: pre, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(preLines.first.map(String.init) == group.raftAddresses[leader], "the old leader ran the first hook")
        #expect(preLines.dropFirst().allSatisfy { String($0) == group.raftAddresses[newLeader] })
    }
}
