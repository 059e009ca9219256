/// One entry of the replicated log.
public struct RaftEntry: Hashable, Sendable {
    /// What an entry carries.
    public enum Kind: UInt8, Sendable, Hashable {
        /// An application command; `data` is the application's encoding of it.
        case command = 0
        /// The entry a new leader appends at the start of its term so that it can commit earlier entries
        /// (Raft §5.4.2). `data` is empty; applications skip it.
        case noop = 1
        /// A new cluster membership; `data` is ``RaftMembership/encoded()``. The membership takes effect on a node
        /// as soon as the entry is in its log (Raft thesis §4.1), not when it commits.
        case membership = 2
    }

    public var index: UInt64
    public var term: UInt64
    public var kind: Kind
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, kind: Kind = .command, data: [UInt8] = []) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }

    /// The entry's position in the log.
    public var position: RaftLogPosition { RaftLogPosition(index: index, term: term) }

    /// The membership a `.membership` entry carries, or nil for other kinds or undecodable data.
    public var membership: RaftMembership? {
        guard kind == .membership else { return nil }
        return try? RaftMembership(decoding: data)
    }
}
