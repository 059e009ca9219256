/// How much an operator wants an instance promoted, as registered with `register-candidate`.
public enum PromotionRule: String, Sendable, Codable, CaseIterable {
    case must
    case prefer
    case neutral
    case preferNot = "prefer_not"
    case mustNot = "must_not"
}
