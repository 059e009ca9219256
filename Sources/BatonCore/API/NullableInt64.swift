/// Go's `sql.NullInt64` as orchestrator's JSON carries it: `{"Int64": 12, "Valid": true}`.
public struct NullableInt64: Hashable, Sendable, Codable {
    public var int64: Int64
    public var valid: Bool

    public init(_ value: Int64?) {
        self.int64 = value ?? 0
        self.valid = value != nil
    }

    public var value: Int64? { valid ? int64 : nil }

    enum CodingKeys: String, CodingKey {
        case int64 = "Int64"
        case valid = "Valid"
    }
}
