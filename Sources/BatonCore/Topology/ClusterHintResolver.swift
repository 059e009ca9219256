/// Resolves what an operator typed for a cluster — a cluster name, `host:port` of any member, or a bare host
/// name — to a cluster name, as orchestrator's `:clusterHint` path parameters do.
public enum ClusterHintResolver {
    public static func resolve(_ hint: String, in instances: [Instance], defaultPort: Int) -> String? {
        let hint = hint.trimmingCharacters(in: .whitespaces)
        guard !hint.isEmpty else { return nil }
        if instances.contains(where: { $0.clusterName == hint }) { return hint }
        if let key = InstanceKey(parsing: hint, defaultPort: defaultPort),
            let member = instances.first(where: { $0.key == key })
        {
            return member.clusterName
        }
        // A bare host name (any port) that names exactly one cluster.
        let clusters = Set(instances.filter { $0.key.hostname == hint }.map(\.clusterName))
        return clusters.count == 1 ? clusters.first : nil
    }

    /// The cluster's primary: depth 0 members, writable first (orchestrator's `ReadClusterMaster` order).
    public static func primary(of cluster: String, in instances: [Instance]) -> Instance? {
        instances.filter { $0.clusterName == cluster && $0.replicationDepth == 0 }
            .sorted { ($0.facts.readOnly ? 1 : 0, $0.key) < ($1.facts.readOnly ? 1 : 0, $1.key) }
            .first
    }
}

import Foundation
