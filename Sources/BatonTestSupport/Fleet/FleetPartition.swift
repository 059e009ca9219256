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
