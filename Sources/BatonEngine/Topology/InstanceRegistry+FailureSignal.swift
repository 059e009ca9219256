import BatonCore

extension InstanceRegistry {
    /// What of an instance is a sign of failure or of a changed topology: whether its last check succeeded (or was
    /// partial), where it replicates from and whether both threads run (and their error numbers), read-only, its
    /// replicas. The failure detector analyses within milliseconds when any of these changes
    /// (`failureSignalVersion`), and every second anyway for the rest (lag, binary log positions, downtimes):
    /// re-analysing the whole topology on every probe result would cost the monitor more than its probes once
    /// thousands of servers are probed each second.
    struct FailureSignal: Equatable {
        var checkSucceeded: Bool
        var partial: Bool
        var readOnly: Bool
        var source: InstanceKey?
        var ioThread: ReplicationThreadState?
        var sqlThread: ReplicationThreadState?
        var ioErrorNumber: Int
        var sqlErrorNumber: Int
        var replicas: [InstanceKey]

        init(_ instance: Instance) {
            checkSucceeded = instance.lastSeen.map { seen in instance.lastChecked.map { $0 <= seen } ?? false } ?? false
            partial = instance.isLastCheckPartial
            readOnly = instance.facts.readOnly
            let replication = instance.facts.replication
            source = replication?.sourceKey
            ioThread = replication?.ioThread
            sqlThread = replication?.sqlThread
            ioErrorNumber = replication?.lastIOErrorNumber ?? 0
            sqlErrorNumber = replication?.lastSQLErrorNumber ?? 0
            replicas = instance.facts.replicaKeys
        }
    }
}
