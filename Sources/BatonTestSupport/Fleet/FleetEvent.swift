import BatonCore

/// Something that happened to the fleet: a fault, or a statement that changed replication or read_only.
/// Tests read the journal to check, e.g., that each cluster was recovered exactly once.
public struct FleetEvent: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case killed, restarted, faultsChanged, partitioned, healed
        /// `CHANGE MASTER TO` / `CHANGE REPLICATION SOURCE TO`.
        case sourceChanged
        case replicationStarted, replicationStopped
        /// `RESET SLAVE ALL` / `RESET REPLICA ALL`: the server no longer replicates (a promotion).
        case replicationReset
        case readOnlyChanged
    }

    /// Order of occurrence, from 1.
    public let sequence: Int
    public let kind: Kind
    /// The server it happened to; nil for fleet-wide events (partitions).
    public let instance: InstanceKey?
    public let cluster: String?
    public let detail: String

    public var description: String {
        "#\(sequence) \(kind.rawValue) \(instance?.description ?? "-") \(detail)"
    }
}
