/// The stable identity of a Raft node.
///
/// An id names a node for its whole life and is never reused: a node whose data directory is wiped rejoins under a
/// new id (add it as a learner, let it catch up through a snapshot, promote it). The id is independent of the node's
/// network address, which travels beside it in ``RaftMember/address`` and may change.
public struct RaftNodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static func < (lhs: RaftNodeID, rhs: RaftNodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
