import Foundation

/// One Baton node's answer to a confirmation round: its fresh sightings of the failed server and its replicas.
public struct PeerView: Sendable, Equatable, Codable {
    /// The node's name (its Raft address), as recoveries record it.
    public var node: String
    public var sightings: [InstanceSighting]
    /// How long the node took to look, in milliseconds (for the audit).
    public var milliseconds: Int

    public init(node: String, sightings: [InstanceSighting], milliseconds: Int = 0) {
        self.node = node
        self.sightings = sightings
        self.milliseconds = milliseconds
    }

    public func sighting(of key: InstanceKey) -> InstanceSighting? {
        sightings.first { $0.key == key }
    }
}

/// What the leader asks every voter: look again, now, at the failed server and its replicas.
public struct PeerViewRequest: Sendable, Equatable, Codable {
    public var failed: InstanceKey
    public var replicas: [InstanceKey]

    public init(failed: InstanceKey, replicas: [InstanceKey]) {
        self.failed = failed
        self.replicas = replicas
    }

    /// Every server to look at, the failed one first.
    public var keys: [InstanceKey] { [failed] + replicas.filter { $0 != failed } }
}
