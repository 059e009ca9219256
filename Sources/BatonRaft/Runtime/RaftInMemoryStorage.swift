import Synchronization

/// A ``RaftStorage`` in memory, for tests: the fold of every persisted batch, lost with the process.
public final class RaftInMemoryStorage: RaftStorage {
    private let state: Mutex<RaftDurableState>

    public init(_ initial: RaftDurableState = .empty) {
        state = Mutex(initial)
    }

    /// What has been persisted so far.
    public var durable: RaftDurableState { state.withLock { $0 } }

    public func load() async throws -> RaftDurableState { durable }

    public func persist(_ ready: RaftReady) async throws {
        state.withLock { $0.persist(ready) }
    }
}
