import Foundation

/// One line of a recovery's audit trail (orchestrator's `topology_recovery_steps`).
public struct RecoveryStepRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var recoveryUID: String
    public var at: Date
    public var message: String

    public init(id: Int64 = 0, recoveryUID: String, at: Date, message: String) {
        self.id = id
        self.recoveryUID = recoveryUID
        self.at = at
        self.message = message
    }
}
