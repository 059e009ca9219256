/// Whether this node may act on servers now. Recoveries, policies and hooks run only on the leader, and a recovery
/// asks again before every step that changes a server — for the same term it was registered in.
///
/// A single node is always the leader; with Raft, the leader is the node that leads a quorum and has applied its own
/// term's first entry (it holds everything earlier leaders committed).
public protocol Leadership: Sendable {
    /// Whether this node leads right now.
    var isLeader: Bool { get }
    /// This node's name, as recoveries and hooks record it.
    var nodeName: String { get }
    /// The term this node leads in while it leads; nil otherwise. A recovery keeps the term it was registered in and
    /// stops when this answers anything else: a node that lost leadership and won it back in a later term does not
    /// resume the plan of the earlier one (the interim leader may have declared it interrupted).
    var leadingTerm: UInt64? { get }
}

extension Leadership {
    /// One everlasting term while leading: a leadership without terms (a single node, a test's).
    public var leadingTerm: UInt64? { isLeader ? 1 : nil }
}

/// The leadership of a node without Raft peers: it always leads.
public struct SingleNodeLeadership: Leadership {
    public let nodeName: String
    public var isLeader: Bool { true }

    public init(nodeName: String) {
        self.nodeName = nodeName
    }
}
