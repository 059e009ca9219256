import BatonCore

/// How a request names a cluster: by one of its instances, or by the cluster's name (or alias).
public enum ClusterHint: Hashable, Sendable, CustomStringConvertible {
    case instance(InstanceKey)
    case name(String)

    /// The path segments: `[host, port]` for an instance, `[name]` for a name.
    public var pathSegments: [String] {
        switch self {
        case .instance(let key): key.pathSegments
        case .name(let name): [name]
        }
    }

    public var description: String {
        switch self {
        case .instance(let key): key.description
        case .name(let name): name
        }
    }
}
