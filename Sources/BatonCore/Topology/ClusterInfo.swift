/// A summary of one cluster, as orchestrator's `clusters-info` and `cluster-info` return it.
public struct ClusterInfo: Hashable, Sendable, Codable {
    public var clusterName: String
    public var clusterAlias: String
    public var clusterDomain: String
    public var countInstances: Int
    public var heuristicLag: Int
    public var hasAutomatedMasterRecovery: Bool
    public var hasAutomatedIntermediateMasterRecovery: Bool

    public init(
        clusterName: String, clusterAlias: String = "", clusterDomain: String = "", countInstances: Int,
        heuristicLag: Int = 0, hasAutomatedMasterRecovery: Bool = false,
        hasAutomatedIntermediateMasterRecovery: Bool = false
    ) {
        self.clusterName = clusterName
        self.clusterAlias = clusterAlias
        self.clusterDomain = clusterDomain
        self.countInstances = countInstances
        self.heuristicLag = heuristicLag
        self.hasAutomatedMasterRecovery = hasAutomatedMasterRecovery
        self.hasAutomatedIntermediateMasterRecovery = hasAutomatedIntermediateMasterRecovery
    }

    enum CodingKeys: String, CodingKey {
        case clusterName = "ClusterName"
        case clusterAlias = "ClusterAlias"
        case clusterDomain = "ClusterDomain"
        case countInstances = "CountInstances"
        case heuristicLag = "HeuristicLag"
        case hasAutomatedMasterRecovery = "HasAutomatedMasterRecovery"
        case hasAutomatedIntermediateMasterRecovery = "HasAutomatedIntermediateMasterRecovery"
    }

    /// Groups instances by cluster name; clusters sorted by name. The heuristic lag is the largest replica lag.
    public static func summarize(_ instances: [Instance]) -> [ClusterInfo] {
        Dictionary(grouping: instances, by: \.clusterName)
            .map { name, members in
                ClusterInfo(
                    clusterName: name, countInstances: members.count,
                    heuristicLag: members.compactMap { $0.facts.replication?.secondsBehindSource }.max() ?? 0)
            }
            .sorted { $0.clusterName < $1.clusterName }
    }
}
