import Foundation

/// A promotion rule an operator registered for an instance (`register-candidate`), valid until `expiresAt`.
public struct CandidateRegistration: Sendable, Equatable, Codable {
    public var key: InstanceKey
    public var rule: PromotionRule
    public var registeredAt: Date
    public var expiresAt: Date

    public init(key: InstanceKey, rule: PromotionRule, registeredAt: Date, expiresAt: Date) {
        self.key = key
        self.rule = rule
        self.registeredAt = registeredAt
        self.expiresAt = expiresAt
    }
}
