/// Everything one probe read from a server: identity, version, replication, binary log, GTID and semi-sync state.
///
/// Produced by the prober, consumed by topology resolution and failure analysis. Pure data.
public struct InstanceFacts: Hashable, Sendable, Codable {
    public var serverID: UInt32 = 0
    public var serverUUID: String = ""
    /// `@@hostname` and `@@report_host`, used for hostname resolution.
    public var reportedHostname: String = ""
    public var reportHost: String = ""
    public var version: ServerVersion?
    public var versionComment: String = ""
    public var readOnly: Bool = false
    public var superReadOnly: Bool = false
    public var logBinEnabled: Bool = false
    public var logReplicaUpdatesEnabled: Bool = false
    public var binlogFormat: String = ""
    public var binlogRowImage: String = ""
    /// The instance's own binary log position (`SHOW MASTER STATUS`).
    public var binlogFile: String = ""
    public var binlogPosition: Int64 = 0
    /// MySQL `@@gtid_mode` (`OFF`, `ON`, …); for MariaDB `ON` when GTID positions exist, otherwise `OFF`.
    public var gtidMode: String = "OFF"
    /// MySQL `@@gtid_executed` or MariaDB `@@gtid_current_pos`.
    public var executedGTIDSet: String = ""
    public var gtidPurged: String = ""
    /// MariaDB only: `@@gtid_binlog_pos` and `@@gtid_slave_pos`.
    public var mariaDBGTIDBinlogPos: String = ""
    public var mariaDBGTIDReplicaPos: String = ""
    /// `nil` when the instance has no replication configured (`SHOW SLAVE STATUS` returned no row).
    public var replication: ReplicationStatus?
    public var semiSync: SemiSyncState = SemiSyncState()
    /// Replicas that registered with this instance (`SHOW SLAVE HOSTS`) or, failing that, binlog dump threads.
    public var replicaKeys: [InstanceKey] = []
    public var uptimeSeconds: Int64 = 0

    public init() {}

    public var flavor: ServerFlavor? { version?.flavor }

    /// Whether GTIDs are in use in the server's own flavour.
    public var supportsOracleGTID: Bool { version?.isMariaDB == false && gtidMode.uppercased().hasPrefix("ON") }
    public var usingMariaDBGTID: Bool { version?.isMariaDB == true && (replication?.usesGTIDPositioning ?? false) }
    public var usingOracleGTID: Bool {
        version?.isMariaDB == false && (replication?.usesGTIDPositioning ?? false)
    }
}
