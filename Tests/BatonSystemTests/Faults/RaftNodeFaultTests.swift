import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Losing any single Baton node changes nothing: a follower killed under heavy Raft traffic catches up, a wiped one
/// rejoins through a snapshot, and a leader whose process stalls (SIGSTOP: a hung disk, a long pause) loses
/// leadership to the others and comes back as a follower. Nodes run in the lab's data centres.
@Suite(.serialized) struct RaftNodeFaultTests {
    /// One server and one node per data centre.
    static let layout = DataCentreLab.Layout(topology: "1 2:1 3:1", servers: [1: 1, 2: 2, 3: 3], nodes: [1, 2, 3])

    struct RaftStatus: Decodable {
        var State: String
        var CommitIndex: UInt64
        var AppliedIndex: UInt64
    }

    /// Writes downtimes through `api` until `stop` says so; counts acknowledged and refused writes.
    final class Writer: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        private(set) var acknowledged = 0
        private(set) var refused: [String] = []

        var isStopped: Bool { lock.withLock { stopped } }
        func stop() { lock.withLock { stopped = true } }

        func run(_ api: APICaller, keys: [InstanceKey], name: String) async {
            var sequence = 0
            while !isStopped {
                sequence += 1
                let key = keys[sequence % keys.count]
                let path = "begin-downtime/\(key.hostname)/\(key.port)/\(name)/write-\(sequence)/1h"
                let outcome = try? await api.get(path)
                lock.withLock {
                    if outcome?.status == 200 { acknowledged += 1 } else {
                        refused.append("\(path): \(outcome.map { String(decoding: $0.body, as: UTF8.self) } ?? "no answer")")
                    }
                }
            }
        }
    }

    /// Every node's downtimes (owner and reason per instance), to compare the replicated state.
    func downtimes(_ lab: DataCentreLab, _ index: Int) async -> [String]? {
        guard let instances = try? await lab.nodes[index].api.decode([InstanceDocument].self, "downtimed") else { return nil }
        return instances.map { "\($0.key) \($0.downtimeOwner) \($0.downtimeReason)" }.sorted()
    }

    /// Waits until every node holds the same downtimes and has applied the same index.
    func converged(_ lab: DataCentreLab, timeout: Duration = .seconds(60)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var states: [[String]] = []
            var applied: Set<UInt64> = []
            for index in lab.nodes.indices {
                if let state = await downtimes(lab, index) { states.append(state) }
                if let status = try? await lab.nodes[index].api.decode(RaftStatus.self, "raft-status") {
                    applied.insert(status.AppliedIndex)
                }
            }
            if states.count == lab.nodes.count, Set(states).count == 1, !states[0].isEmpty, applied.count == 1 {
                return true
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test func aFollowerKilledUnderHeavyTrafficCatchesUpAndAWipedOneRejoinsThroughASnapshot() async throws {
        let lab = try await DataCentreLab.start(
            Self.layout, extra: ["RaftSnapshotThreshold": 64, "RaftSnapshotTrailingEntries": 8])
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        let leader = try #require(try await lab.waitForLeader())
        let follower = (leader + 1) % 3
        let keys = [1, 2, 3].map { lab.sandbox.key($0) }

        // Two writers through the leader, one through the surviving follower (forwarded).
        let writer = Writer()
        let leaderAPI = lab.nodes[leader].api
        let otherAPI = lab.nodes[3 - leader - follower].api
        let writing = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await writer.run(leaderAPI, keys: keys, name: "writer-a") }
                group.addTask { await writer.run(leaderAPI, keys: keys, name: "writer-b") }
                group.addTask { await writer.run(otherAPI, keys: keys, name: "writer-c") }
            }
        }
        try await Task.sleep(for: .seconds(2))
        let beforeKill = writer.acknowledged
        lab.nodes[follower].daemon.kill()
        try await Task.sleep(for: .seconds(3))
        try await lab.restart(follower)
        try await Task.sleep(for: .seconds(3))
        writer.stop()
        await writing.value
        #expect(writer.acknowledged > beforeKill, "writes went on while the follower was down")
        #expect(writer.refused.isEmpty, "writes refused with a quorum alive: \(writer.refused.prefix(5))")
        #expect(try await converged(lab), "the restarted follower did not catch up:\n\(lab.logs())")
        let acknowledgedBeforeWipe = writer.acknowledged

        // Wipe the follower's data: remove it, write more (the leader snapshots and compacts), add it under a new id.
        lab.nodes[follower].daemon.kill()
        let directory = lab.nodes[follower].daemon.directory
        for name in ["baton.sqlite3", "baton.sqlite3-wal", "baton.sqlite3-shm"] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        try? FileManager.default.removeItem(atPath: lab.nodes[follower].settings["RaftDataDir"] as? String ?? "")
        let (removed, removedBody) = try await lab.nodes[leader].api.get("raft-remove-peer/\(lab.nodes[follower].raftAddress)")
        #expect(removed == 200, "\(String(decoding: removedBody, as: UTF8.self))")
        let more = Writer()
        let writingMore = Task { await more.run(leaderAPI, keys: keys, name: "writer-d") }
        try await Task.sleep(for: .seconds(2))
        more.stop()
        await writingMore.value
        #expect(more.refused.isEmpty, "\(more.refused.prefix(5))")
        let newID = 4242
        let others = lab.nodes.indices.filter { $0 != follower }.map { lab.nodes[$0].raftAddress }
        try await lab.restart(follower, changes: [
            "RaftNodes": others + ["\(newID)@\(lab.nodes[follower].raftAddress)"], "RaftBootstrap": false,
            "RaftDataDir": lab.root.appendingPathComponent("raft-wiped").path,
        ])
        let (added, addedBody) = try await lab.nodes[leader].api.get("raft-add-peer/\(newID)@\(lab.nodes[follower].raftAddress)")
        #expect(added == 200, "\(String(decoding: addedBody, as: UTF8.self))")
        #expect(try await converged(lab), "the wiped follower did not get the state:\n\(lab.logs())")
        #expect(lab.nodes[follower].daemon.log().contains("restored from a snapshot"), "it caught up through a snapshot")
        FaultRuns.record([
            "scenario": "follower-killed-under-traffic", "run": 1,
            "acknowledgedWrites": acknowledgedBeforeWipe + more.acknowledged,
            "refusedWrites": writer.refused.count + more.refused.count,
        ])
    }

    @Test func aStalledLeaderLosesLeadershipAndComesBackAsAFollower() async throws {
        for run in 1...FaultRuns.count {
            let lab = try await DataCentreLab.start(Self.layout)
            defer { lab.tearDown() }
            try await lab.discoverAndWait(primary: 1)
            let stalled = try #require(try await lab.waitForLeader())
            let others = lab.nodes.indices.filter { $0 != stalled }

            let clock = ContinuousClock()
            let stalledAt = clock.now
            lab.nodes[stalled].daemon.pause()
            let newLeader = try #require(
                try await lab.waitForLeader(among: others), "run \(run): no leader while the old one stalls:\n\(lab.logs())")
            let moved = clock.now - stalledAt
            // A write while the old leader is stalled.
            let key = lab.sandbox.key(2)
            let (status, body) = try await lab.nodes[newLeader].api.get(
                "begin-downtime/\(key.hostname)/\(key.port)/stall-test/written-during-the-stall/1h")
            #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")

            // The stalled process resumes: it learns of the new term, follows, and holds the write.
            lab.nodes[stalled].daemon.resume()
            var following = false
            while clock.now - stalledAt < moved + .seconds(30) {
                if await lab.nodes[stalled].raftState() == "Follower",
                    await downtimes(lab, stalled)?.contains(where: { $0.contains("written-during-the-stall") }) == true
                {
                    following = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(following, "run \(run): the resumed node did not come back as a follower:\n\(lab.logs())")
            #expect(await lab.leaders() == [newLeader], "run \(run): exactly one leader after the stall")
            FaultRuns.record(["scenario": "leader-stalled", "run": run, "leadershipMovedSeconds": moved.seconds])
        }
    }

    /// Every node's Raft data lives on its own 3 MiB tmpfs; the leader's fills up. The leader cannot persist, so it
    /// must not acknowledge the write that needs it: its Raft node stops, the daemon exits saying why, another node
    /// leads, and writes go on. With space again it restarts and catches up.
    @Test func aLeaderWhoseDiskFillsUpStopsAndTheOthersCarryOn() async throws {
        let lab = try await DataCentreLab.start(Self.layout) { root in
            for node in 1...3 {
                let directory = root.appendingPathComponent("raft-\(node)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", directory.path])
            }
        }
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        let full = try #require(try await lab.waitForLeader())
        let others = lab.nodes.indices.filter { $0 != full }
        let filler = lab.root.appendingPathComponent("raft-\(full + 1)/filler")
        // dd stops at "No space left on device", which is the point.
        _ = try? ProcessRunner.run("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])

        // A write needs the leader to persist: refused with the reason, not acknowledged.
        let key = lab.sandbox.key(2)
        let (status, body) = try await lab.nodes[full].api.get("begin-downtime/\(key.hostname)/\(key.port)/disk/full/1h")
        let answer = String(decoding: body, as: UTF8.self)
        #expect(status != 200 && answer.contains("disk is full"), "\(status) \(answer)")
        let clock = ContinuousClock()
        let start = clock.now
        while lab.nodes[full].daemon.isRunning, clock.now - start < .seconds(60) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let exitedAfter = clock.now - start
        #expect(!lab.nodes[full].daemon.isRunning, "the node with a full disk still runs:\n\(lab.logs())")
        #expect(lab.nodes[full].daemon.log().contains("cannot persist the Raft state"), "\(lab.logs())")

        // The others elect a leader; writes through either of them are acknowledged.
        let newLeader = try #require(try await lab.waitForLeader(among: others), "no leader after the disk filled:\n\(lab.logs())")
        for (sequence, index) in (others + others).enumerated() {
            let (written, writtenBody) = try await lab.nodes[index].api.get(
                "begin-downtime/\(key.hostname)/\(key.port)/disk/after-\(sequence)/1h")
            #expect(written == 200, "through node \(index + 1), leader \(newLeader + 1): \(String(decoding: writtenBody, as: UTF8.self))")
        }

        // Space again: the node restarts on its data and catches up.
        try FileManager.default.removeItem(at: filler)
        try await lab.restart(full)
        #expect(try await converged(lab), "the node did not catch up after its disk was freed:\n\(lab.logs())")
        #expect(await downtimes(lab, full)?.contains { $0.hasSuffix("disk after-3") } == true)
        FaultRuns.record(["scenario": "leader-disk-full", "run": 1, "exitedAfterSeconds": exitedAfter.seconds])
    }
}
