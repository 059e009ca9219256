import BatonCore

/// Which server family a simulated instance imitates.
public enum SimulatedFlavor: String, Sendable, Codable, CaseIterable {
    case mariadb
    case mysql

    /// The version a simulated server reports when the topology names none.
    public var defaultVersion: String {
        switch self {
        case .mariadb: "10.11.9-MariaDB-log"
        case .mysql: "8.0.39"
        }
    }

    public var defaultVersionComment: String {
        switch self {
        case .mariadb: "MariaDB Server"
        case .mysql: "MySQL Community Server - GPL"
        }
    }
}

/// The version of a simulated server and what follows from it: which statement spellings it accepts, its column
/// names, its error texts.
public struct SimulatedServerProfile: Sendable, Hashable {
    public var flavor: SimulatedFlavor
    /// `@@version` exactly as reported (MariaDB's greeting adds the `5.5.5-` prefix).
    public var version: String
    public var versionComment: String
    let major: Int
    let minor: Int
    let patch: Int

    /// - Parameter version: e.g. `10.11.9-MariaDB-log`, `11.4.3-MariaDB-log`, `8.0.39`, `8.4.2`; nil for the
    ///   flavour's default.
    public init(flavor: SimulatedFlavor, version: String? = nil, versionComment: String? = nil) {
        self.flavor = flavor
        let version = version ?? flavor.defaultVersion
        self.version = version
        self.versionComment = versionComment ?? flavor.defaultVersionComment
        let parsed = ServerVersion(parsing: version)
        self.major = parsed?.major ?? 0
        self.minor = parsed?.minor ?? 0
        self.patch = parsed?.patch ?? 0
    }

    var isMariaDB: Bool { flavor == .mariadb }
    var triple: (Int, Int, Int) { (major, minor, patch) }

    /// The version string of the handshake greeting: MariaDB prefixes `5.5.5-` for old replication clients.
    var greetingVersion: String { isMariaDB ? "5.5.5-" + version : version }

    /// `SHOW SLAVE STATUS`, `STOP SLAVE`, `CHANGE MASTER TO`, …: everywhere but MySQL 8.4 and later.
    var acceptsSlaveForms: Bool { isMariaDB || triple < (8, 4, 0) }
    /// `SHOW REPLICA STATUS`, `STOP REPLICA`, `RESET REPLICA`: MariaDB 10.5.1+, MySQL 8.0.22+.
    var acceptsReplicaForms: Bool { isMariaDB ? triple >= (10, 5, 1) : triple >= (8, 0, 22) }
    /// `CHANGE REPLICATION SOURCE TO`: MySQL 8.0.23+ only.
    var acceptsSourceForm: Bool { !isMariaDB && triple >= (8, 0, 23) }
    /// `SHOW REPLICAS`: MySQL 8.0.22+. MariaDB spells it `SHOW REPLICA HOSTS` (10.5.1+).
    var acceptsShowReplicas: Bool { !isMariaDB && triple >= (8, 0, 22) }
    var acceptsShowReplicaHosts: Bool { isMariaDB && triple >= (10, 5, 1) }
    /// `SHOW MASTER STATUS`: removed in MySQL 8.4.
    var acceptsShowMasterStatus: Bool { isMariaDB || triple < (8, 4, 0) }
    /// `SHOW BINARY LOG STATUS`: MySQL 8.2+. MariaDB has `SHOW BINLOG STATUS` (10.5.2+).
    var acceptsShowBinaryLogStatus: Bool { !isMariaDB && triple >= (8, 2, 0) }
    var acceptsShowBinlogStatus: Bool { isMariaDB && triple >= (10, 5, 2) }
    /// `MASTER_POS_WAIT`: removed in MySQL 8.4 (`SOURCE_POS_WAIT` since 8.0.26).
    var acceptsMasterPosWait: Bool { isMariaDB || triple < (8, 4, 0) }
    var acceptsSourcePosWait: Bool { !isMariaDB && triple >= (8, 0, 26) }
    /// `log_replica_updates` exists in MySQL 8.0.26+; `log_slave_updates` until 8.4.
    var hasLogReplicaUpdates: Bool { !isMariaDB && triple >= (8, 0, 26) }
    var hasLogSlaveUpdates: Bool { isMariaDB || triple < (8, 4, 0) }

    /// What the status statements call things: `Slave_IO_Running` or `Replica_IO_Running`, …
    var binlogFilePrefix: String { isMariaDB ? "mariadb-bin" : "binlog" }
    var relayLogPrefix: String { isMariaDB ? "relay-bin" : "relay-bin" }
    var serverName: String { isMariaDB ? "MariaDB" : "MySQL" }
}
