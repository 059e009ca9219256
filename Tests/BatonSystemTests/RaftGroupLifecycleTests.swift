import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// A Raft group of real `baton serve` processes on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (no database needed): yield,
/// kill -9 and restart of the leader, a fourth node added and removed, a wiped node rejoining through a snapshot.
@Suite(.serialized) struct RaftGroupLifecycleTests {
    struct Node {
        var daemon: BatonDaemon
        var api: APICaller
        var address: String
        var settings: [String: any Sendable]
    }

    /// One Raft port, free on all four loopback addresses.
    let port: Int = {
        for _ in 0..<100 {
            let port = ProcessRunner.freePort()
            if (1...4).allSatisfy({ ProcessRunner.isFree(port: port, host: "127.0.0.\($0)") }) { return port }
        }
        return ProcessRunner.randomBasePort() + 7
    }()
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("baton-raft-life-\(UUID().uuidString.prefix(8))")

    func address(_ host: Int, id: UInt64? = nil) -> String {
        (id.map { "\($0)@" } ?? "") + "127.0.0.\(host):\(port)"
    }

    func settings(_ host: Int, nodes: [String], bootstrap: Bool = true, dataDir: String) -> [String: any Sendable] {
        [
            "RaftEnabled": true, "RaftBind": "127.0.0.\(host):\(port)", "RaftNodes": nodes, "RaftDataDir": dataDir,
            "RaftSharedSecret": "lifecycle", "RaftTickMilliseconds": 100, "RaftBootstrap": bootstrap,
            "RaftSnapshotThreshold": 4, "RaftSnapshotTrailingEntries": 0,
        ]
    }

    func start(_ settings: [String: any Sendable], address: String, reuse: Node? = nil) async throws -> Node {
        let daemon = try BatonDaemon(configuration: settings, directory: reuse?.daemon.directory, port: reuse?.daemon.port)
        let api = APICaller(base: daemon.apiURL)
        try #require(await api.waitUntilUp(), "\(daemon.log())")
        return Node(daemon: daemon, api: api, address: address, settings: settings)
    }

    func leader(_ nodes: [Node], timeout: Duration = .seconds(30)) async throws -> Int? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var found: [Int] = []
            for (index, node) in nodes.enumerated() {
                if let (status, _) = try? await node.api.get("leader-check"), status == 200 { found.append(index) }
            }
            if found.count == 1 { return found[0] }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    func state(_ node: Node) async -> String? {
        guard let envelope = try? await node.api.decode(APIResponse<String>.self, "check-global-recoveries") else { return nil }
        return envelope.details
    }

    func waitForState(_ node: Node, _ expected: String) async throws -> Bool {
        for _ in 0..<150 {
            if await state(node) == expected { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func yieldRestartJoinLeaveAndRejoinThroughASnapshot() async throws {
        let founders = (1...3).map { address($0) }
        var nodes: [Node] = []
        defer {
            for node in nodes { node.daemon.tearDown() }
            try? FileManager.default.removeItem(at: root)
        }
        for host in 1...3 {
            nodes.append(try await start(
                settings(host, nodes: founders, dataDir: root.appendingPathComponent("raft-\(host)").path),
                address: founders[host - 1]))
        }
        func logs() -> String { nodes.map { "== \($0.address)\n\($0.daemon.log().suffix(3000))" }.joined(separator: "\n") }

        var leader = try #require(try await leader(nodes), "no leader:\n\(logs())")

        // raft-yield moves leadership to the named node.
        let target = (leader + 1) % 3
        let (yielded, body) = try await nodes[leader].api.get("raft-yield/\(nodes[target].address)")
        #expect(yielded == 200, "\(String(decoding: body, as: UTF8.self))")
        #expect(try await self.leader(nodes) == target)
        leader = target

        // kill -9 of the leader: a new leader; a write while it is down; it restarts as a follower and catches up.
        nodes[leader].daemon.kill()
        let survivors = nodes.indices.filter { $0 != leader }
        // A write sent to a follower at once still goes to the dead leader it believes in: the connect fails, and the
        // follower answers through the new leader (200) or says to retry (503, Retry-After) — it never hangs until
        // the caller's 30 s timeout, nor answers 502 (it used to, after 90 s).
        let (early, earlyBody) = try await nodes[survivors[0]].api.get("disable-global-recoveries")
        #expect([200, 503].contains(early), "\(early): \(String(decoding: earlyBody, as: UTF8.self))")
        let newLeader = try #require(try await self.leader(survivors.map { nodes[$0] }).map { survivors[$0] }, "\(logs())")
        let (disabled, _) = try await nodes[newLeader].api.get("disable-global-recoveries")
        #expect(disabled == 200)
        let restarted = try await start(nodes[leader].settings, address: nodes[leader].address, reuse: nodes[leader])
        nodes[leader] = restarted
        #expect(try await waitForState(restarted, "disabled"), "the restarted node did not catch up:\n\(logs())")
        #expect(try await self.leader(nodes) == newLeader, "the restarted node came back as a follower")

        // A fourth node joins at runtime, then leaves.
        let fourth = address(4)
        let joiner = try await start(
            settings(4, nodes: founders + [fourth], bootstrap: false, dataDir: root.appendingPathComponent("raft-4").path),
            address: fourth)
        nodes.append(joiner)
        let (added, addBody) = try await nodes[newLeader].api.get("raft-add-peer/\(fourth)")
        #expect(added == 200, "\(String(decoding: addBody, as: UTF8.self))")
        #expect(try await waitForState(joiner, "disabled"), "the new node did not get the replicated state")
        let peers = try await nodes[newLeader].api.decode([String].self, "raft-peers")
        #expect(Set(peers) == Set(founders + [fourth]))
        let (removed, _) = try await nodes[newLeader].api.get("raft-remove-peer/\(fourth)")
        #expect(removed == 200)
        let after = try await nodes[newLeader].api.decode([String].self, "raft-peers")
        #expect(Set(after) == Set(founders))
        joiner.daemon.tearDown()
        nodes.removeLast()

        // A follower's data is wiped: it is removed, and rejoins under a new id through a snapshot of the state.
        let wiped = [0, 1, 2].first { $0 != newLeader }!
        let wipedHost = wiped + 1
        nodes[wiped].daemon.tearDown()
        try? FileManager.default.removeItem(at: root.appendingPathComponent("raft-\(wipedHost)"))
        let (gone, _) = try await nodes[newLeader].api.get("raft-remove-peer/\(nodes[wiped].address)")
        #expect(gone == 200)
        // More writes, so the leader snapshots (RaftSnapshotThreshold 4) and compacts its log.
        for _ in 0..<4 {
            _ = try await nodes[newLeader].api.get("enable-global-recoveries")
            _ = try await nodes[newLeader].api.get("disable-global-recoveries")
        }
        let newID: UInt64 = 4242
        let rejoined = try await start(
            settings(
                wipedHost, nodes: founders.filter { $0 != nodes[wiped].address } + [address(wipedHost, id: newID)],
                bootstrap: false, dataDir: root.appendingPathComponent("raft-\(wipedHost)-new").path),
            address: nodes[wiped].address)
        nodes[wiped] = rejoined
        let (readded, readdBody) = try await nodes[newLeader].api.get("raft-add-peer/\(address(wipedHost, id: newID))")
        #expect(readded == 200, "\(String(decoding: readdBody, as: UTF8.self))")
        #expect(try await waitForState(rejoined, "disabled"), "the wiped node did not get the state:\n\(logs())")
        #expect(rejoined.daemon.log().contains("restored from a snapshot"), "it caught up through a snapshot")
    }
}
