/// Whether this node may act on servers now. Recoveries, policies and hooks run only on the leader, and a recovery
/// asks again before every step that changes a server.
///
/// A single node is always the leader; with Raft, the leader is the node that leads a quorum.
public protocol Leadership: Sendable {
    /// Whether this node leads right now.
    var isLeader: Bool { get }
    /// This node's name, as recoveries and hooks record it.
    var nodeName: String { get }
}

/// The leadership of a node without Raft peers: it always leads.
public struct SingleNodeLeadership: Leadership {
    public let nodeName: String
    public var isLeader: Bool { true }

    public init(nodeName: String) {
        self.nodeName = nodeName
    }
}
