/// orchestrator's `HealthStatus`, the `Details` of `health` and `status`.
struct HealthStatus: Codable, Sendable {
    var healthy: Bool
    var hostname: String
    var token: String
    var isActiveNode: Bool
    var activeNode: ActiveNode
    var error: String?
    var availableNodes: [ActiveNode]
    var raftLeader: String
    var isRaftLeader: Bool
    var raftLeaderURI: String
    var raftAdvertise: String
    var raftHealthyMembers: [String]
    /// Baton: SHA-256 of the Lua policy this node runs ("" without one), so that nodes can be compared.
    var policyHash: String = ""

    struct ActiveNode: Codable, Sendable {
        var hostname: String
        var token: String
        enum CodingKeys: String, CodingKey {
            case hostname = "Hostname"
            case token = "Token"
        }
    }

    enum CodingKeys: String, CodingKey {
        case healthy = "Healthy", hostname = "Hostname", token = "Token", isActiveNode = "IsActiveNode"
        case activeNode = "ActiveNode", error = "Error", availableNodes = "AvailableNodes"
        case raftLeader = "RaftLeader", isRaftLeader = "IsRaftLeader", raftLeaderURI = "RaftLeaderURI"
        case raftAdvertise = "RaftAdvertise", raftHealthyMembers = "RaftHealthyMembers", policyHash = "PolicyHash"
    }
}
