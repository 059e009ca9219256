import Foundation

/// Lookups over a snapshot. Dictionaries are only used for lookups; every list is in key order.
struct AnalysisIndex {
    let snapshot: AnalysisSnapshot
    /// The snapshot's instances in key order (the first of duplicate keys wins).
    let instances: [Instance]
    let byKey: [InstanceKey: Instance]
    let replicasBySource: [InstanceKey: [Instance]]
    /// The downtime in force at `now` per instance (the one ending last).
    let downtimes: [InstanceKey: Downtime]
    let clusters: [String: ClusterInfo]

    init(_ snapshot: AnalysisSnapshot) {
        self.snapshot = snapshot
        var byKey: [InstanceKey: Instance] = [:]
        for instance in snapshot.instances where byKey[instance.key] == nil { byKey[instance.key] = instance }
        self.byKey = byKey
        instances = byKey.values.sorted { $0.key < $1.key }
        var replicas: [InstanceKey: [Instance]] = [:]
        for instance in instances {
            if let source = instance.sourceKey, source != instance.key {
                replicas[source, default: []].append(instance)
            }
        }
        replicasBySource = replicas
        var downtimes: [InstanceKey: Downtime] = [:]
        for downtime in snapshot.downtimes where downtime.isActive(at: snapshot.now) {
            if let known = downtimes[downtime.key], known.endsAt >= downtime.endsAt { continue }
            downtimes[downtime.key] = downtime
        }
        self.downtimes = downtimes
        clusters = Dictionary(
            ClusterInfo.summarize(instances).map { ($0.clusterName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func replicas(of key: InstanceKey) -> [Instance] { replicasBySource[key] ?? [] }

    /// The instance's source, the source's source, and so on (stopping at a cycle or an unknown source).
    func ancestors(of instance: Instance) -> [Instance] {
        var result: [Instance] = []
        var visited: Set<InstanceKey> = [instance.key]
        var next = instance.sourceKey
        while let key = next, !visited.contains(key), let ancestor = byKey[key] {
            result.append(ancestor)
            visited.insert(key)
            next = ancestor.sourceKey
        }
        return result
    }
}
