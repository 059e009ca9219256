/// The global functions a policy may define.
public enum PolicyFunction: String, Sendable, Hashable, CaseIterable, Comparable {
    case filter
    case rank
    case onDetection = "on_detection"
    case preFailover = "pre_failover"
    case postFailover = "post_failover"

    public static func < (lhs: PolicyFunction, rhs: PolicyFunction) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
