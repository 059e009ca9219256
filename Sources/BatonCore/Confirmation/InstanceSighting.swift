import Foundation

/// What one Baton node saw of one server when it looked again for a confirmation round: could it reach it, was it
/// writable, whom did it replicate from, what had it executed. Built from a fresh probe (``Instance``), never from
/// a remembered one.
public struct InstanceSighting: Sendable, Equatable, Codable {
    public var key: InstanceKey
    /// The probe reached the server and it answered.
    public var reachable: Bool
    /// `@@read_only` (or `super_read_only`) as the probe read it; `false` when not reachable.
    public var readOnly: Bool
    /// The source the server replicates from, when it has replication configured.
    public var source: InstanceKey?
    /// The replication I/O thread is connected to `source` (`Slave_IO_Running: Yes`).
    public var receiving: Bool
    /// The replication SQL thread runs.
    public var applying: Bool
    /// `@@gtid_executed` (MySQL) or `@@gtid_current_pos` (MariaDB).
    public var executedGTIDSet: String
    /// Why the probe failed, when it did.
    public var error: String

    public init(
        key: InstanceKey, reachable: Bool, readOnly: Bool = false, source: InstanceKey? = nil, receiving: Bool = false,
        applying: Bool = false, executedGTIDSet: String = "", error: String = ""
    ) {
        self.key = key
        self.reachable = reachable
        self.readOnly = readOnly
        self.source = source
        self.receiving = receiving
        self.applying = applying
        self.executedGTIDSet = executedGTIDSet
        self.error = error
    }

    /// The sighting of `instance` as its last probe left it: reachable when that probe succeeded (fully or in part).
    public init(_ instance: Instance) {
        let reached =
            if let seen = instance.lastSeen, let checked = instance.lastChecked { seen >= checked } else { false }
        let replication = reached ? instance.facts.replication : nil
        self.init(
            key: instance.key, reachable: reached,
            readOnly: reached && (instance.facts.readOnly || instance.facts.superReadOnly),
            source: replication.map { instance.sourceKey ?? $0.sourceKey }, receiving: replication?.ioThread.isRunning ?? false,
            applying: replication?.sqlThread.isRunning ?? false,
            executedGTIDSet: reached ? instance.facts.executedGTIDSet : "",
            error: reached ? "" : (instance.lastError.isEmpty ? "not reached" : instance.lastError))
    }

    /// The server takes writes: reached and not read-only.
    public var isWritable: Bool { reachable && !readOnly }

    /// The server is reached and receives its changes from `key` right now.
    public func receives(from key: InstanceKey) -> Bool { reachable && receiving && source == key }
}
