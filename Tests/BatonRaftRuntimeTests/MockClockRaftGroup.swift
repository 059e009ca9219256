import BatonRaft
import BatonTestSupport
import Logging
import Synchronization

/// Raft nodes over the in-memory transport and storage, all on one `MockClock`: time moves only when the test moves
/// it, one tick at a time, and `settle()` returns once every node has handled everything it was sent — so the runtime
/// is tested without sleeping and without real timers.
final class MockClockRaftGroup {
    let clock = MockClock()
    let network = RaftInMemoryNetwork()
    let tick: Duration = .milliseconds(100)
    private(set) var nodes: [RaftNodeID: RaftNode<MockClock>] = [:]
    private(set) var apps: [RaftNodeID: RecordingApplication] = [:]
    private var tasks: [RaftNodeID: Task<Void, any Error>] = [:]

    /// `count` founding voters, ids 1…count, started.
    init(_ count: Int, options: RaftOptions = RaftRuntimeCluster.fastOptions) throws {
        let ids = (1...count).map { RaftNodeID(UInt64($0)) }
        let membership = RaftMembership(ids.map { RaftMember(id: $0, address: "memory:\($0)") })
        var logger = Logger(label: "baton.raft.test")
        logger.logLevel = .error
        for id in ids {
            let app = RecordingApplication()
            let node = try RaftNode(
                configuration: RaftNodeConfiguration(
                    id: id, bootstrap: membership, options: options, tickInterval: tick, requestTimeout: .seconds(20)),
                storage: RaftInMemoryStorage(), transport: network.transport(for: id), application: app, clock: clock,
                logger: logger)
            nodes[id] = node
            apps[id] = app
            tasks[id] = Task { try await node.run() }
        }
    }

    var running: [RaftNodeID] { tasks.keys.sorted() }
    func node(_ id: RaftNodeID) -> RaftNode<MockClock> { nodes[id]! }

    /// Returns once every running node's ticker sleeps on the clock and every node's loop waits with nothing queued:
    /// with the in-memory transport nothing more happens until time moves.
    func settle() async throws {
        // A node that handles a batch may queue messages for the others: wait for each in turn until one look finds
        // them all idle at once. No spinning: each wait suspends until that node's loop parks.
        for _ in 0..<10_000 {
            await clock.waitForSleepers(running.count)
            for id in running { await nodes[id]!.waitUntilIdle() }
            if clock.sleeperCount >= running.count && running.allSatisfy({ nodes[$0]!.isIdle }) { return }
        }
        throw ConditionNotMet(what: "the Raft group settles")
    }

    /// Moves time a tick at a time, settling after each, until `condition` holds.
    func advance(until what: String, maxTicks: Int = 1_000, _ condition: () -> Bool) async throws {
        try await settle()
        for _ in 0..<maxTicks {
            if condition() { return }
            clock.advance(by: tick)
            try await settle()
        }
        guard condition() else { throw ConditionNotMet(what: "\(what) within \(maxTicks) ticks") }
    }

    /// The running node that says it leads, when exactly one does.
    func currentLeader(among ids: [RaftNodeID]? = nil) -> RaftNode<MockClock>? {
        let leaders = (ids ?? running).map(node).filter(\.isLeader)
        return leaders.count == 1 ? leaders[0] : nil
    }

    /// Moves time until one of `ids` leads and all of them know it.
    func waitForLeader(among ids: [RaftNodeID]? = nil) async throws -> RaftNode<MockClock> {
        let ids = ids ?? running
        try await advance(until: "a leader known to \(ids)") {
            guard let leader = currentLeader(among: ids) else { return false }
            return ids.allSatisfy { node($0).leader?.id == leader.id }
        }
        return currentLeader(among: ids)!
    }

    /// Runs `operation` as a task and moves time until it has finished; returns its result.
    func run<T: Sendable>(
        _ what: String, maxTicks: Int = 1_000, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> Result<T, any Error> {
        let result = OperationResult<T>()
        Task {
            do { result.set(.success(try await operation())) } catch { result.set(.failure(error)) }
        }
        try await advance(until: what, maxTicks: maxTicks) { result.value != nil }
        return result.value!
    }

    /// Stops one node, as a process exit would.
    func stop(_ id: RaftNodeID) async {
        tasks[id]?.cancel()
        _ = await tasks[id]?.result
        tasks[id] = nil
    }

    func shutdown() async {
        for id in running { await stop(id) }
    }
}

/// Where an operation started by `MockClockRaftGroup.run` leaves its result.
private final class OperationResult<T: Sendable>: Sendable {
    private let stored = Mutex<Result<T, any Error>?>(nil)
    var value: Result<T, any Error>? { stored.withLock { $0 } }
    func set(_ result: Result<T, any Error>) { stored.withLock { $0 = result } }
}
