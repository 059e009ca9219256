/// Derives each instance's cluster and replication depth from the source links of all known instances.
///
/// Pure: the same instances give the same answer. A chain that ends at a source Baton has not discovered yet
/// takes that source's key as its cluster name. A replication cycle (co-primaries) is named after its smallest
/// key, and its members have depth 0.
public enum TopologyResolver {
    public static func resolve(_ instances: [Instance]) -> [Instance] {
        var byKey: [InstanceKey: Instance] = [:]
        for instance in instances { byKey[instance.key] = instance }

        var resolved: [InstanceKey: (cluster: String, depth: Int, coPrimary: Bool)] = [:]
        for instance in instances.sorted(by: { $0.key < $1.key }) where resolved[instance.key] == nil {
            // Walk up the chain until a primary, an unknown source, a resolved ancestor or a cycle.
            var path: [InstanceKey] = [instance.key]
            var onPath: Set<InstanceKey> = [instance.key]
            var anchor: (cluster: String, depth: Int)?
            var current = instance
            while anchor == nil {
                guard let source = current.sourceKey else {
                    anchor = (current.key.description, 0)
                    path.removeLast()
                    resolved[current.key] = (current.key.description, 0, false)
                    break
                }
                if let known = resolved[source] {
                    anchor = (known.cluster, known.depth + 1)
                } else if onPath.contains(source) {
                    // A cycle: every member of the loop is a (co-)primary of the same cluster.
                    let start = path.firstIndex(of: source) ?? 0
                    let loop = Array(path[start...])
                    let name = (loop.min() ?? source).description
                    for member in loop { resolved[member] = (name, 0, loop.count > 1) }
                    path.removeSubrange(start...)
                    anchor = (name, 1)
                } else if let next = byKey[source] {
                    path.append(source)
                    onPath.insert(source)
                    current = next
                    continue
                } else {
                    anchor = (source.description, 1)
                }
            }
            // Assign from the top of the path (nearest the anchor) downwards.
            guard let anchor else { continue }
            var depth = anchor.depth
            for key in path.reversed() {
                resolved[key] = (anchor.cluster, depth, false)
                depth += 1
            }
        }

        return instances.map { instance in
            var instance = instance
            if let found = resolved[instance.key] {
                instance.clusterName = found.cluster
                instance.replicationDepth = found.depth
                instance.isCoPrimary = found.coPrimary
            }
            return instance
        }
    }
}
