/// The state of a replication thread, with orchestrator's numeric encoding in JSON
/// (`-1` no thread, `0` stopped, `1` running, `2` something else such as `Connecting`).
public enum ReplicationThreadState: Int, Sendable, Codable {
    case noThread = -1
    case stopped = 0
    case running = 1
    case other = 2

    /// Maps `Slave_IO_Running` / `Replica_SQL_Running` values (`Yes`, `No`, `Connecting`, …).
    public init(statusValue: String?) {
        switch statusValue?.lowercased() {
        case nil: self = .noThread
        case "yes": self = .running
        case "no": self = .stopped
        default: self = .other
        }
    }

    public var isRunning: Bool { self == .running }
}
