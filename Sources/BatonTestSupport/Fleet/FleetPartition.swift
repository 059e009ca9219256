import BatonCore

/// One end of a network path in a fleet: a simulated server, or Baton (every client connecting from outside).
public enum FleetEndpoint: Sendable, Hashable, CustomStringConvertible {
    case instance(InstanceKey)
    /// The clients of the fleet: Baton's prober and executor, tests, the `mysql` CLI.
    case baton

    public var description: String {
        switch self {
        case .instance(let key): key.description
        case .baton: "baton"
        }
    }
}

/// A network cut: nothing passes between a member of `sideA` and a member of `sideB`.
///
/// A replica cut from its source loses it (IO thread `Connecting`, error 2003). Clients cut from an instance
/// (``FleetEndpoint/baton`` on one side) find it silent: new connections get no greeting (or are refused, see
/// ``Mode``) and open ones get no answers.
public struct FleetPartition: Sendable, Hashable, Identifiable {
    /// What clients cut from an instance see.
    public enum Mode: String, Sendable, Hashable, Codable {
        /// Packets vanish: connections are accepted by the simulator but nothing is ever answered, like a
        /// firewall that drops (clients find out by their timeouts).
        case blackhole
        /// New connections are reset at once, like a firewall that rejects; open ones go silent.
        case refuse
    }

    public let id: Int
    public let sideA: Set<FleetEndpoint>
    public let sideB: Set<FleetEndpoint>
    public let mode: Mode

    public init(id: Int, sideA: Set<FleetEndpoint>, sideB: Set<FleetEndpoint>, mode: Mode = .blackhole) {
        self.id = id
        self.sideA = sideA
        self.sideB = sideB
        self.mode = mode
    }

    /// Whether this cut separates `x` and `y`.
    public func separates(_ x: FleetEndpoint, _ y: FleetEndpoint) -> Bool {
        (sideA.contains(x) && sideB.contains(y)) || (sideA.contains(y) && sideB.contains(x))
    }
}

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
