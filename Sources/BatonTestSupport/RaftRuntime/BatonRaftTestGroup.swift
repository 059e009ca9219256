import BatonEngine
import BatonRaft
import BatonStore
import Foundation
import Logging
import Synchronization

/// Baton's replicated state machine on real Raft nodes in this process: each node's application is a
/// `BatonRaftApplication` over its own SQLite file and `BatonCommandApplier` (built through `BatonNode.scripted`), the
/// nodes talk over the in-memory transport and keep their Raft log in memory, and time moves only on one `MockClock`
/// (`settle()` returns once every node has handled everything it was sent). A node starts as `baton serve` starts
/// one: its replicated tables cleared, then rebuilt from its snapshot and log.
public final class BatonRaftTestGroup {
    public final class Member {
        public let id: RaftNodeID
        public let databasePath: String
        public let storage: RaftInMemoryStorage
        public let database: BatonDatabase
        public let applier: BatonCommandApplier
        public let node: RaftNode<MockClock>
        fileprivate var task: Task<Void, any Error>?

        fileprivate init(
            id: RaftNodeID, databasePath: String, storage: RaftInMemoryStorage, database: BatonDatabase,
            applier: BatonCommandApplier, node: RaftNode<MockClock>
        ) {
            self.id = id
            self.databasePath = databasePath
            self.storage = storage
            self.database = database
            self.applier = applier
            self.node = node
        }
    }

    public let clock = MockClock()
    public let network = RaftInMemoryNetwork()
    public let tick: Duration = .milliseconds(100)
    public let options: RaftOptions
    public let root: String
    public private(set) var members: [RaftNodeID: Member] = [:]
    let logger: Logger

    /// `count` founding voters, ids 1…count, started.
    public init(_ count: Int, options: RaftOptions) async throws {
        self.options = options
        root = FileManager.default.temporaryDirectory.appendingPathComponent("baton-raft-state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var logger = Logger(label: "baton.raft.test")
        logger.logLevel = .error
        self.logger = logger
        let ids = (1...count).map { RaftNodeID(UInt64($0)) }
        let membership = RaftMembership(ids.map { RaftMember(id: $0, address: "memory:\($0)") })
        for id in ids { try await start(id, bootstrap: membership, storage: RaftInMemoryStorage()) }
    }

    public var running: [RaftNodeID] { members.values.filter { $0.task != nil }.map(\.id).sorted() }
    public func node(_ id: RaftNodeID) -> RaftNode<MockClock> { members[id]!.node }
    public func database(_ id: RaftNodeID) -> BatonDatabase { members[id]!.database }

    /// Starts node `id` over `storage` and the SQLite file `node-<id>.sqlite`, as a new process would: the file is
    /// opened, its replicated tables are cleared, and the node rebuilds them from its snapshot and log.
    public func start(_ id: RaftNodeID, bootstrap: RaftMembership? = nil, storage: RaftInMemoryStorage) async throws {
        let path = (root as NSString).appendingPathComponent("node-\(id).sqlite")
        let database = try BatonDatabase(path: path)
        try database.clearReplicatedState()
        let baton = try await BatonNode.scripted(ScriptedProbing(), database: database, nodeName: "node-\(id)", logger: logger)
        let applier = BatonCommandApplier(
            database: database, controls: baton.controls, monitor: baton.monitor, logger: logger)
        let node = try RaftNode(
            configuration: RaftNodeConfiguration(
                id: id, bootstrap: bootstrap, options: options, tickInterval: tick, requestTimeout: .seconds(20)),
            storage: storage, transport: network.transport(for: id),
            application: BatonRaftApplication(applier: applier, logger: logger), clock: clock, logger: logger)
        let member = Member(
            id: id, databasePath: path, storage: storage, database: database, applier: applier, node: node)
        member.task = Task { try await node.run() }
        members[id] = member
    }

    /// Stops a node, as a process exit would; its Raft log and its SQLite file stay.
    public func stop(_ id: RaftNodeID) async {
        guard let member = members[id] else { return }
        member.task?.cancel()
        _ = await member.task?.result
        member.task = nil
    }

    /// Stops a node and starts it again over what it had persisted.
    public func restart(_ id: RaftNodeID) async throws {
        await stop(id)
        try await start(id, storage: RaftInMemoryStorage(members[id]!.storage.durable))
    }

    /// Stops a node and deletes its data (Raft log and SQLite file); it is no longer a member of this harness.
    public func wipe(_ id: RaftNodeID) async throws {
        await stop(id)
        let path = members[id]!.databasePath
        members[id] = nil
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Returns once every running node's ticker sleeps on the clock and every node's loop waits with nothing queued.
    public func settle() async throws {
        for _ in 0..<10_000 {
            await clock.waitForSleepers(running.count)
            for id in running { await node(id).waitUntilIdle() }
            if clock.sleeperCount >= running.count && running.allSatisfy({ node($0).isIdle }) { return }
        }
        throw ConditionNotMet(what: "the Raft group settles")
    }

    /// Moves time a tick at a time, settling after each, until `condition` holds.
    public func advance(until what: String, maxTicks: Int = 1_000, _ condition: () -> Bool) async throws {
        try await settle()
        for _ in 0..<maxTicks {
            if condition() { return }
            clock.advance(by: tick)
            try await settle()
        }
        guard condition() else { throw ConditionNotMet(what: "\(what) within \(maxTicks) ticks") }
    }

    /// Moves time until one running node leads and every running node knows it.
    public func waitForLeader() async throws -> RaftNode<MockClock> {
        try await advance(until: "a leader known to \(running)") {
            guard let leader = currentLeader() else { return false }
            return running.allSatisfy { node($0).leader?.id == leader.id }
        }
        return currentLeader()!
    }

    public func currentLeader() -> RaftNode<MockClock>? {
        let leaders = running.map(node).filter(\.isLeader)
        return leaders.count == 1 ? leaders[0] : nil
    }

    /// Runs `operation` as a task and moves time until it has finished; returns its result.
    public func run<T: Sendable>(
        _ what: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let box = ResultBox<T>()
        Task {
            do { box.set(.success(try await operation())) } catch { box.set(.failure(error)) }
        }
        try await advance(until: what) { box.value != nil }
        return try box.value!.get()
    }

    /// Submits `command` through the leader's `RaftCommandLog`, as the daemon does, and returns the leader's answer.
    /// A node cut off from the group need not know the leader.
    public func submit(_ command: BatonCommand) async throws -> BatonCommandResult {
        try await advance(until: "a leader") { currentLeader() != nil }
        let leader = currentLeader()!
        let log = RaftCommandLog(node: leader, applier: members[leader.id]!.applier)
        return try await run("\(command) is applied") { try await log.submit(command) }
    }

    /// Moves time until every running node has applied the leader's whole log; returns that index.
    @discardableResult
    public func waitUntilAllApplied() async throws -> UInt64 {
        let leader = try await waitForLeader()
        try await advance(until: "every node applied the leader's log") {
            let commit = leader.status.commitIndex
            return running.allSatisfy { node($0).status.appliedIndex == commit }
        }
        return leader.status.commitIndex
    }

    public func shutdown() async {
        for id in running { await stop(id) }
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Where an operation started by `BatonRaftTestGroup.run` leaves its result.
private final class ResultBox<T: Sendable>: Sendable {
    private let stored = Mutex<Result<T, any Error>?>(nil)
    var value: Result<T, any Error>? { stored.withLock { $0 } }
    func set(_ result: Result<T, any Error>) { stored.withLock { $0 = result } }
}
