/// A position in the replicated log: an index and the term of the entry stored there.
///
/// Index 0 with term 0 is the empty position before the first entry.
public struct RaftLogPosition: Hashable, Sendable, CustomStringConvertible {
    public var index: UInt64
    public var term: UInt64

    public init(index: UInt64, term: UInt64) {
        self.index = index
        self.term = term
    }

    /// The position before the first entry of a new log.
    public static let zero = RaftLogPosition(index: 0, term: 0)

    /// Whether a log ending at `self` is at least as up to date as one ending at `other` (Raft §5.4.1).
    public func isAtLeastAsUpToDate(as other: RaftLogPosition) -> Bool {
        term > other.term || (term == other.term && index >= other.index)
    }

    public var description: String { "\(index)@\(term)" }
}
