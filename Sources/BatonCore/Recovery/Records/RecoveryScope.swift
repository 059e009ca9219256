/// Which recoveries a query or an acknowledgement is about.
public enum RecoveryScope: Sendable, Equatable, Codable {
    case all
    case cluster(String)
    case instance(InstanceKey)
    case id(Int64)
    case uid(String)
}
