/// One node of the cluster configuration.
public struct RaftMember: Hashable, Sendable {
    /// Whether a member votes and counts towards quorums.
    public enum Role: UInt8, Sendable, Hashable {
        case voter = 0
        /// Receives the log but neither votes nor counts towards quorums; a new node starts as one until it has
        /// caught up.
        case learner = 1
    }

    public var id: RaftNodeID
    /// Where the runtime reaches the node (for example `host:port`). The state machine only carries it.
    public var address: String
    public var role: Role

    public init(id: RaftNodeID, address: String = "", role: Role = .voter) {
        self.id = id
        self.address = address
        self.role = role
    }
}

/// A cluster configuration: its members, sorted by id.
///
/// Configurations travel in the log as `.membership` entries and in snapshots. A node uses the latest one in its log,
/// committed or not.
public struct RaftMembership: Hashable, Sendable {
    /// Members sorted by id, each id once.
    public private(set) var members: [RaftMember]

    /// Creates a configuration; later duplicates of an id replace earlier ones.
    public init(_ members: [RaftMember] = []) {
        var byID: [RaftMember] = []
        for member in members {
            if let at = byID.firstIndex(where: { $0.id == member.id }) { byID[at] = member } else { byID.append(member) }
        }
        self.members = byID.sorted { $0.id < $1.id }
    }

    /// The voters' ids, sorted.
    public var voters: [RaftNodeID] { members.filter { $0.role == .voter }.map(\.id) }
    /// The learners' ids, sorted.
    public var learners: [RaftNodeID] { members.filter { $0.role == .learner }.map(\.id) }
    /// Every member's id, sorted.
    public var ids: [RaftNodeID] { members.map(\.id) }

    public func member(_ id: RaftNodeID) -> RaftMember? { members.first { $0.id == id } }
    public func contains(_ id: RaftNodeID) -> Bool { members.contains { $0.id == id } }
    public func isVoter(_ id: RaftNodeID) -> Bool { members.contains { $0.id == id && $0.role == .voter } }

    /// How many voters make a majority.
    public var quorum: Int { voters.count / 2 + 1 }

    /// The configuration after `change`, or an error saying why the change is not allowed.
    public func applying(_ change: RaftMembershipChange) throws(RaftError) -> RaftMembership {
        var next = members
        switch change {
        case .addLearner(let id, let address):
            guard !contains(id) else { throw RaftError(.invalidMembershipChange, "node \(id) is already a member") }
            next.append(RaftMember(id: id, address: address, role: .learner))
        case .promote(let id):
            guard let at = next.firstIndex(where: { $0.id == id }), next[at].role == .learner else {
                throw RaftError(.invalidMembershipChange, "node \(id) is not a learner")
            }
            next[at].role = .voter
        case .remove(let id):
            guard let at = next.firstIndex(where: { $0.id == id }) else {
                throw RaftError(.invalidMembershipChange, "node \(id) is not a member")
            }
            if next[at].role == .voter && voters.count == 1 {
                throw RaftError(.invalidMembershipChange, "cannot remove the last voter")
            }
            next.remove(at: at)
        case .updateAddress(let id, let address):
            guard let at = next.firstIndex(where: { $0.id == id }) else {
                throw RaftError(.invalidMembershipChange, "node \(id) is not a member")
            }
            next[at].address = address
        }
        return RaftMembership(next)
    }
}

/// One change of the cluster configuration. Changes go one server at a time (Raft thesis §4.1).
public enum RaftMembershipChange: Hashable, Sendable {
    /// Adds a node that receives the log without voting.
    case addLearner(RaftNodeID, address: String)
    /// Makes a learner that has caught up a voter.
    case promote(RaftNodeID)
    /// Removes a voter or learner; removing the leader makes it step down once the change commits.
    case remove(RaftNodeID)
    /// Records a member's new address; no vote changes.
    case updateAddress(RaftNodeID, address: String)
}
