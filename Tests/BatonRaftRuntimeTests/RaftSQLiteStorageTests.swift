import BatonRaft
import BatonTestSupport
import BatonStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `raft.sqlite3`: what it stores is exactly the fold of the batches given to it, it is durable, and it survives
/// kill -9.
@Suite(.timeLimit(.minutes(3)))
struct RaftSQLiteStorageTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("baton-raft-store-\(UUID())").path

    static let members = RaftMembership([RaftMember(id: 1, address: "a:1"), RaftMember(id: 2, address: "b:2")])

    static func batch(
        entries: [RaftEntry] = [], hardState: RaftHardState? = nil, snapshot: RaftSnapshot? = nil,
        compaction: RaftLogCompaction? = nil
    ) -> RaftReady {
        var ready = RaftReady()
        ready.entries = entries
        ready.hardState = hardState
        ready.snapshot = snapshot
        ready.compaction = compaction
        return ready
    }

    static func entries(_ range: ClosedRange<UInt64>, term: UInt64) -> [RaftEntry] {
        range.map { RaftEntry(index: $0, term: term, data: Array("entry \($0)@\(term)".utf8)) }
    }

    /// Batches that exercise every instruction: appends, truncation of a conflicting suffix, votes, a snapshot with
    /// compaction, a compaction that is already covered, a snapshot from a leader that resets the log, empty data.
    static let script: [RaftReady] = [
        batch(
            entries: [RaftEntry(index: 1, term: 1, kind: .membership, data: members.encoded())],
            hardState: RaftHardState(term: 1)),
        batch(entries: entries(2...10, term: 1), hardState: RaftHardState(term: 1, vote: 1, commit: 3)),
        batch(entries: entries(7...8, term: 2), hardState: RaftHardState(term: 2, vote: 2, commit: 6)),
        batch(entries: [RaftEntry(index: 9, term: 2, kind: .noop)]),
        batch(
            snapshot: RaftSnapshot(metadata: .init(index: 6, term: 1, membership: members), data: Array("six".utf8)),
            compaction: .compact(through: RaftLogPosition(index: 4, term: 1))),
        batch(compaction: .compact(through: RaftLogPosition(index: 2, term: 1))),
        batch(entries: entries(10...12, term: 2), hardState: RaftHardState(term: 2, vote: 2, commit: 12)),
        batch(
            hardState: RaftHardState(term: 3, vote: nil, commit: 20),
            snapshot: RaftSnapshot(metadata: .init(index: 20, term: 3, membership: members), data: []),
            compaction: .reset(to: RaftLogPosition(index: 20, term: 3))),
        batch(entries: entries(21...22, term: 3) + [RaftEntry(index: 23, term: 3, data: [])]),
    ]

    @Test func storedStateIsTheFoldOfTheBatches() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var expected = RaftDurableState.empty
        #expect(try await RaftSQLiteStorage(directory: directory, nodeID: 1).load() == expected)
        for (n, ready) in Self.script.enumerated() {
            try await RaftSQLiteStorage(directory: directory, nodeID: 1).persist(ready)
            expected.persist(ready)
            let loaded = try await RaftSQLiteStorage(directory: directory, nodeID: 1).load()
            #expect(loaded == expected, "after batch \(n)")
        }
        // A node restarts from it.
        let loaded = try await RaftSQLiteStorage(directory: directory, nodeID: 1).load()
        let machine = try RaftStateMachine(id: 1, durable: loaded)
        #expect(machine.lastLogPosition == RaftLogPosition(index: 23, term: 3))
        #expect(machine.commitIndex == 20)
    }

    @Test func randomBatchesFoldTheSameWay() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = try RaftSQLiteStorage(directory: directory, nodeID: 1)
        var expected = RaftDurableState.empty
        var random = RaftRandom(seed: 42)
        var term: UInt64 = 1
        for _ in 0..<300 {
            let last = expected.logBase.index + UInt64(expected.entries.count)
            var ready = RaftReady()
            switch random.next() % 6 {
            case 0, 1, 2:  // append, sometimes over a suffix
                let from = last + 1 - min(last - expected.logBase.index, random.next() % 3)
                if random.next() % 4 == 0 { term += 1 }
                ready.entries = Self.entries(from...(from + random.next() % 5), term: term)
            case 3:
                ready.hardState = RaftHardState(term: term, vote: RaftNodeID(random.next() % 3 + 1), commit: last)
            case 4 where last > expected.logBase.index:  // snapshot and compact behind it
                let at = expected.logBase.index + 1 + random.next() % (last - expected.logBase.index)
                let position = RaftLogPosition(index: at, term: expected.entries[Int(at - expected.logBase.index - 1)].term)
                ready.snapshot = RaftSnapshot(metadata: .init(index: at, term: position.term, membership: Self.members), data: [UInt8](repeating: 7, count: Int(at % 50)))
                ready.compaction = .compact(through: position)
            default:  // a snapshot from the leader replaces the log
                term += 1
                let position = RaftLogPosition(index: last + random.next() % 4, term: term)
                ready.snapshot = RaftSnapshot(metadata: .init(index: position.index, term: term, membership: Self.members), data: [1])
                ready.compaction = .reset(to: position)
                ready.hardState = RaftHardState(term: term, vote: nil, commit: position.index)
            }
            try await storage.persist(ready)
            expected.persist(ready)
        }
        #expect(try await storage.load() == expected)
        #expect(try await RaftSQLiteStorage(directory: directory, nodeID: 1).load() == expected)
    }

    @Test func theFileIsDurableAndWritesAheadOfItsLog() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storage = try RaftSQLiteStorage(directory: directory, nodeID: 1)
        let settings = try storage.durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2)  // FULL
        #expect(storage.path.hasSuffix("/raft.sqlite3"))
    }

    @Test func theFileBelongsToOneNode() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try RaftSQLiteStorage(directory: directory, nodeID: 1)
        let error = #expect(throws: RaftStorageError.self) { try RaftSQLiteStorage(directory: directory, nodeID: 2) }
        #expect(error?.code == .wrongNode)
        _ = try RaftSQLiteStorage(directory: directory, nodeID: 1)
    }

    // MARK: - kill -9

    static let crashDirectoryVariable = "BATON_RAFT_CRASH_CHILD_DIR"
    static let crashNode: RaftNodeID = 7

    static func crashPayload(_ index: UInt64) -> [UInt8] {
        Array("entry \(index) ".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1000)
    }

    /// Appends one entry per batch (with a snapshot and compaction now and then) and prints `acked N` after each
    /// batch is persisted, until killed. It runs only as the child of ``anAcknowledgedEntrySurvivesKill9()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[crashDirectoryVariable] != nil))
    func crashChildAppendsUntilKilled() async throws {
        let directory = ProcessInfo.processInfo.environment[Self.crashDirectoryVariable]!
        let storage = try RaftSQLiteStorage(directory: directory, nodeID: Self.crashNode)
        let loaded = try await storage.load()
        var index = loaded.logBase.index + UInt64(loaded.entries.count)
        while true {
            index += 1
            var ready = Self.batch(
                entries: [RaftEntry(index: index, term: 1, data: Self.crashPayload(index))],
                hardState: RaftHardState(term: 1, vote: Self.crashNode, commit: index))
            if index % 50 == 0 {
                ready.snapshot = RaftSnapshot(
                    metadata: .init(
                        index: index - 1, term: 1, membership: RaftMembership([RaftMember(id: Self.crashNode)])),
                    data: [UInt8](repeating: 1, count: 10_000))
                ready.compaction = .compact(through: RaftLogPosition(index: index - 25, term: 1))
            }
            try await storage.persist(ready)
            let line = Array("acked \(index)\n".utf8)
            _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[crashDirectoryVariable] == nil))
    func anAcknowledgedEntrySurvivesKill9() async throws {
        #if os(Linux)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var acknowledged: UInt64 = 0
        for round in 1...3 {
            let output = (directory as NSString).appendingPathComponent("child-\(round).log")
            let child = try SpawnedProcess(
                SpawnedProcess.testExecutable,
                ["--testing-library", "swift-testing", "--filter", "crashChildAppendsUntilKilled"],
                outputPath: output, environment: [Self.crashDirectoryVariable: directory])
            // Let it acknowledge a few hundred more batches, then kill it mid-stream.
            let target = acknowledged + 200
            do {
                try await requireEventually("the child acknowledges entry \(target)", timeout: .seconds(90)) {
                    Self.lastAcknowledged(in: output) >= target
                }
            } catch {
                child.kill(SIGKILL)
                let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                Issue.record("child output:\n\(log.suffix(3000))")
                throw error
            }
            let status = child.kill(SIGKILL)
            #expect(status & 0x7F == SIGKILL, "the child was killed by SIGKILL")
            acknowledged = Self.lastAcknowledged(in: output)

            let loaded = try await RaftSQLiteStorage(directory: directory, nodeID: Self.crashNode).load()
            let last = loaded.logBase.index + UInt64(loaded.entries.count)
            #expect(last >= acknowledged, "round \(round): acknowledged \(acknowledged) but only \(last) survived")
            #expect(loaded.hardState.commit >= acknowledged)
            #expect(loaded.hardState.vote == Self.crashNode)
            for entry in loaded.entries {
                #expect(entry.data == Self.crashPayload(entry.index), "entry \(entry.index) is intact")
            }
            #expect(loaded.snapshot != nil)
            // The state machine accepts what survived.
            let machine = try RaftStateMachine(id: Self.crashNode, durable: loaded)
            #expect(machine.lastLogPosition.index == last)
        }
        #endif
    }

    static func lastAcknowledged(in path: String) -> UInt64 {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        var last: UInt64 = 0
        for line in text.split(separator: "\n") where line.hasPrefix("acked ") {
            if let n = UInt64(line.dropFirst(6)) { last = max(last, n) }
        }
        return last
    }
}
