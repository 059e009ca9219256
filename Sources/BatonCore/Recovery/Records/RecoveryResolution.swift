import Foundation

/// How a recovery ended, written by `resolveRecovery`.
public struct RecoveryResolution: Sendable, Equatable, Codable {
    public var endedAt: Date
    public var attempted: Bool
    public var isSuccessful: Bool
    public var successor: InstanceKey?
    public var successorAlias: String
    public var lostReplicas: [InstanceKey]
    public var participatingInstances: [InstanceKey]
    public var errors: [String]

    public init(
        endedAt: Date, attempted: Bool, isSuccessful: Bool, successor: InstanceKey? = nil, successorAlias: String = "",
        lostReplicas: [InstanceKey] = [], participatingInstances: [InstanceKey] = [], errors: [String] = []
    ) {
        self.endedAt = endedAt
        self.attempted = attempted
        self.isSuccessful = isSuccessful
        self.successor = successor
        self.successorAlias = successorAlias
        self.lostReplicas = lostReplicas
        self.participatingInstances = participatingInstances
        self.errors = errors
    }
}
