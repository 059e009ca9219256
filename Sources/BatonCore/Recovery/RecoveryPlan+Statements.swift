/// The replication statements of one server version: MariaDB and MySQL before 8.0.22 use the `SLAVE`/`MASTER`
/// forms; MySQL 8.0.22 introduced `STOP REPLICA`/`SHOW REPLICA STATUS`, and 8.0.23 `CHANGE REPLICATION SOURCE TO`.
public struct ReplicationStatements: Sendable, Equatable {
    public var version: ServerVersion

    public init(version: ServerVersion) {
        self.version = version
    }

    var replicaForm: Bool { version.usesReplicaStatements }
    var sourceForm: Bool { !version.isMariaDB && (version.major, version.minor, version.patch) >= (8, 0, 23) }

    public var stopIOThread: String { replicaForm ? "STOP REPLICA IO_THREAD" : "STOP SLAVE IO_THREAD" }
    public var stopReplication: String { replicaForm ? "STOP REPLICA" : "STOP SLAVE" }
    public var startReplication: String { replicaForm ? "START REPLICA" : "START SLAVE" }
    public var resetReplicationAll: String { replicaForm ? "RESET REPLICA ALL" : "RESET SLAVE ALL" }
    public var showReplicationStatus: String { replicaForm ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS" }

    public static func setReadOnly(_ on: Bool) -> String { "SET GLOBAL read_only = \(on ? 1 : 0)" }

    /// Points replication at `source` by GTID. User and password are not named, so the ones configured are kept
    /// (MariaDB and MySQL both keep unspecified `CHANGE MASTER` options).
    public func changeSource(to source: InstanceKey) throws(RecoveryPlanError) -> String {
        guard (1...65535).contains(source.port) else {
            throw RecoveryPlanError(code: .unsafeValue, message: "port \(source.port) of \(source) is out of range")
        }
        let host = try SQLLiteral.quote(source.hostname)
        if version.isMariaDB {
            return "CHANGE MASTER TO MASTER_HOST=\(host), MASTER_PORT=\(source.port), MASTER_USE_GTID=slave_pos"
        }
        if sourceForm {
            return "CHANGE REPLICATION SOURCE TO SOURCE_HOST=\(host), SOURCE_PORT=\(source.port), SOURCE_AUTO_POSITION=1"
        }
        return "CHANGE MASTER TO MASTER_HOST=\(host), MASTER_PORT=\(source.port), MASTER_AUTO_POSITION=1"
    }
}

extension ReplicationStatements {
    /// Points a server that has never replicated (a demoted primary) at `source` by GTID, with credentials.
    /// MariaDB uses `current_pos`: the demoted primary's own binary log position is exactly what it has.
    /// - Returns: the statement; it holds a password, so it must never be logged or audited.
    public func changeSource(
        to source: InstanceKey, user: String, password: String
    ) throws(RecoveryPlanError) -> String {
        guard (1...65535).contains(source.port) else {
            throw RecoveryPlanError(code: .unsafeValue, message: "port \(source.port) of \(source) is out of range")
        }
        let host = try SQLLiteral.quote(source.hostname)
        let user = try SQLLiteral.quote(user)
        let password = try SQLLiteral.quote(password)
        if version.isMariaDB {
            return "CHANGE MASTER TO MASTER_HOST=\(host), MASTER_PORT=\(source.port), MASTER_USER=\(user), "
                + "MASTER_PASSWORD=\(password), MASTER_USE_GTID=current_pos"
        }
        if sourceForm {
            return "CHANGE REPLICATION SOURCE TO SOURCE_HOST=\(host), SOURCE_PORT=\(source.port), SOURCE_USER=\(user), "
                + "SOURCE_PASSWORD=\(password), SOURCE_AUTO_POSITION=1"
        }
        return "CHANGE MASTER TO MASTER_HOST=\(host), MASTER_PORT=\(source.port), MASTER_USER=\(user), "
            + "MASTER_PASSWORD=\(password), MASTER_AUTO_POSITION=1"
    }

    /// Reads the server's executed GTID position (`gtid_binlog_pos` on MariaDB, `gtid_executed` on MySQL).
    public var executedGTIDQuery: String {
        version.isMariaDB ? "SELECT @@GLOBAL.gtid_binlog_pos" : "SELECT @@GLOBAL.gtid_executed"
    }

    /// Waits up to `seconds` for the replica to have applied `position`; the single value is 0 once it has
    /// (`MASTER_GTID_WAIT` on MariaDB returns -1 on timeout, `WAIT_FOR_EXECUTED_GTID_SET` on MySQL 1).
    public func waitForGTID(_ position: String, seconds: Int) throws(RecoveryPlanError) -> String {
        let literal = try SQLLiteral.quote(position)
        return version.isMariaDB
            ? "SELECT MASTER_GTID_WAIT(\(literal), \(seconds))" : "SELECT WAIT_FOR_EXECUTED_GTID_SET(\(literal), \(seconds))"
    }
}

/// Quotes a value as an SQL string literal.
public enum SQLLiteral {
    /// `'…'` with `'` doubled and `\` escaped: safe with and without `NO_BACKSLASH_ESCAPES` (without it a
    /// backslash stays doubled, which corrupts the value but can never end the literal).
    /// - Throws: `unsafeValue` for a NUL byte, which some servers and drivers truncate at.
    public static func quote(_ value: String) throws(RecoveryPlanError) -> String {
        var quoted = "'"
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\0":
                throw RecoveryPlanError(code: .unsafeValue, message: "a NUL byte cannot be put into an SQL string")
            case "'": quoted += "''"
            case "\\": quoted += "\\\\"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "'"
    }
}
