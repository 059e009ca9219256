import Foundation

/// One database server as Baton knows it: the facts of its last successful probe, when it was last checked,
/// and what topology resolution derived (source, cluster, depth).
public struct Instance: Hashable, Sendable, Codable {
    public var key: InstanceKey
    /// The facts of the last probe that read them (kept when later probes fail, so analysis sees the last state).
    public var facts: InstanceFacts
    /// When the last finished probe was started (the monitor stamps it with the outcome; a snapshot from
    /// orchestrator may carry a later attempt still running).
    public var lastAttempted: Date?
    /// When the last probe finished, successfully or not.
    public var lastChecked: Date?
    /// When the last probe finished successfully (everything read).
    public var lastSeen: Date?
    /// The last probe connected and read identity but failed before reading everything.
    public var isLastCheckPartial: Bool = false
    /// Why the last probe failed; empty after a success.
    public var lastError: String = ""
    /// How long the last successful probe took, in nanoseconds.
    public var lastProbeLatencyNanoseconds: Int64 = 0
    public var firstSeen: Date?

    // Derived by `TopologyResolver` from all instances.
    /// The source after hostname resolution; `nil` for a primary.
    public var sourceKey: InstanceKey?
    /// `host:port` of the cluster's primary.
    public var clusterName: String = ""
    /// 0 for a primary, 1 for its direct replicas, and so on.
    public var replicationDepth: Int = 0
    public var isCoPrimary: Bool = false

    public var dataCenter: String = ""
    public var region: String = ""
    public var physicalEnvironment: String = ""
    public var promotionRule: PromotionRule = .neutral

    public init(key: InstanceKey) {
        self.key = key
        self.facts = InstanceFacts()
    }

    /// Whether the instance has ever been read successfully.
    public var hasBeenSeen: Bool { lastSeen != nil }

    /// orchestrator's rule: the last check succeeded, and no later attempt has been hanging for longer than
    /// a poll interval plus `reasonableCheckSeconds`. Baton's own monitor stamps an attempt when it ends, so live
    /// a probe that started late is never held against the instance; a hanging one fails at its read timeout.
    public func isLastCheckValid(pollSeconds: Int, reasonableCheckSeconds: Int = 1) -> Bool {
        guard let lastSeen, let lastChecked else { return false }
        guard lastChecked <= lastSeen else { return false }
        if let lastAttempted,
            lastAttempted > lastSeen.addingTimeInterval(TimeInterval(pollSeconds + reasonableCheckSeconds))
        {
            return false
        }
        return true
    }

    /// A primary: no replication configured, or configured without a source host.
    public var isPrimary: Bool { sourceKey == nil }

    /// Both replication threads running.
    public var isReplicating: Bool { facts.replication?.isReplicating ?? false }
}
