/// Durable storage of one node's Raft state: its log, hard state and latest snapshot.
///
/// The runtime calls ``persist(_:)`` once for every ``RaftReady`` batch that needs it, in order, and sends the batch's
/// messages only after it returns; ``load()`` is called once at start-up. An implementation must make each batch
/// durable (fsync) and atomic before returning: `BatonStore`'s `RaftSQLiteStorage` does it in one SQLite transaction
/// with `synchronous=FULL`; ``RaftInMemoryStorage`` keeps it in memory for tests.
public protocol RaftStorage: Sendable {
    /// Everything persisted so far (``RaftDurableState/empty`` for a new node).
    func load() async throws -> RaftDurableState

    /// Persists a batch's `snapshot`, `compaction`, `entries` and `hardState`, in that order, durably and atomically
    /// (see ``RaftReady``); the fold of all batches must equal ``RaftDurableState/persist(_:)``'s.
    func persist(_ ready: RaftReady) async throws
}

/// A failure of a ``RaftStorage``, with a stable code and the underlying cause.
public struct RaftStorageError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        public static let openFailed = Code(rawValue: "raft.storage.open_failed")
        public static let readFailed = Code(rawValue: "raft.storage.read_failed")
        public static let writeFailed = Code(rawValue: "raft.storage.write_failed")
        /// What is stored is inconsistent (a gap in the log, an unreadable record).
        public static let corrupt = Code(rawValue: "raft.storage.corrupt")
        /// The storage belongs to another node id.
        public static let wrongNode = Code(rawValue: "raft.storage.wrong_node")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }
}
