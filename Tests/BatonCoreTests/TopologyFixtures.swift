import BatonCore
import Foundation

/// Builds instances for topology tests: `replica(of:)` links by source key, as a probe would report it.
enum TopologyFixtures {
    static let seen = Date(timeIntervalSince1970: 1_700_000_000)

    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "127.0.0.1", port: port) }

    static func instance(_ port: Int, source: Int? = nil, readOnly: Bool = false) -> Instance {
        var instance = Instance(key: key(port))
        instance.lastAttempted = seen
        instance.lastChecked = seen
        instance.lastSeen = seen
        instance.facts.version = ServerVersion(parsing: "10.11.6-MariaDB-log")
        instance.facts.readOnly = readOnly
        instance.facts.logBinEnabled = true
        instance.facts.logReplicaUpdatesEnabled = true
        instance.facts.binlogFormat = "ROW"
        if let source {
            instance.facts.replication = ReplicationStatus(
                sourceKey: key(source), ioThread: .running, sqlThread: .running, secondsBehindSource: 0,
                usingGTID: "Slave_Pos")
            instance.sourceKey = key(source)
        }
        return instance
    }
}
