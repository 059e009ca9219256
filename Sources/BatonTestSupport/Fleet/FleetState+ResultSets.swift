import BatonCore
import Foundation

extension FleetState {
    /// `SHOW GLOBAL VARIABLES` of server `id`: the names its flavour and version have, with their values.
    func variables(of id: Int) -> [String: String] {
        let server = servers[id]
        let profile = server.profile
        func onOff(_ flag: Bool) -> String { flag ? "ON" : "OFF" }
        var values: [String: String] = [
            "binlog_format": server.binlogFormat,
            "binlog_row_image": "FULL",
            "hostname": server.hostname,
            "log_bin": "ON",
            "port": String(server.key.port),
            "read_only": onOff(server.readOnly),
            "report_host": server.key.hostname,
            "report_port": String(server.key.port),
            "server_id": String(server.serverID),
            "slave_net_timeout": "60",
            "version": profile.version,
            "version_comment": profile.versionComment,
            "max_connections": "151",
        ]
        if profile.isMariaDB {
            values["gtid_binlog_pos"] = server.binlogGTIDs.text(mariaDB: true)
            values["gtid_current_pos"] = server.executedGTIDs.text(mariaDB: true)
            values["gtid_slave_pos"] = server.replicaGTIDs.text(mariaDB: true)
            values["gtid_domain_id"] = String(server.gtidDomain)
            values["gtid_strict_mode"] = "OFF"
            values["log_slave_updates"] = onOff(server.logReplicaUpdates)
            values["rpl_semi_sync_master_enabled"] = "OFF"
            values["rpl_semi_sync_master_timeout"] = "10000"
            values["rpl_semi_sync_slave_enabled"] = "OFF"
        } else {
            values["enforce_gtid_consistency"] = "ON"
            values["gtid_executed"] = server.executedGTIDs.text(mariaDB: false)
            values["gtid_mode"] = "ON"
            values["gtid_purged"] = ""
            values["server_uuid"] = server.serverUUID
            values["super_read_only"] = onOff(server.superReadOnly)
            if profile.hasLogSlaveUpdates { values["log_slave_updates"] = onOff(server.logReplicaUpdates) }
            if profile.hasLogReplicaUpdates { values["log_replica_updates"] = onOff(server.logReplicaUpdates) }
        }
        for (name, value) in server.variableOverrides { values[name] = value }
        return values
    }

    /// `SHOW GLOBAL STATUS` of server `id`.
    func status(of id: Int, now: ContinuousClock.Instant) -> [String: String] {
        let server = servers[id]
        var values: [String: String] = [
            "Uptime": String(max(0, server.startedAt.duration(to: now).components.seconds)),
            "Threads_running": "1",
        ]
        if server.isMariaDB {
            values["Rpl_semi_sync_master_clients"] = "0"
            values["Rpl_semi_sync_master_status"] = "OFF"
            values["Rpl_semi_sync_slave_status"] = "OFF"
        }
        return values
    }

    /// `Variable_name`/`Value` rows sorted by name (as servers print them), filtered.
    func nameValueResult(_ values: [String: String], _ filter: SimulatedStatement.NameFilter) -> SimulatedAnswer {
        let rows = values.keys.sorted { $0.lowercased() < $1.lowercased() }.filter { name in
            switch filter {
            case .all: true
            case .names(let names): names.contains(name.lowercased())
            case .like(let pattern): Self.like(name, pattern)
            }
        }.map { [$0, values[$0]] }
        return .resultSet(columns: ["Variable_name", "Value"], rows: rows)
    }

    /// SQL `LIKE` with `%` and `_`, case-insensitive, `\` escapes.
    static func like(_ text: String, _ pattern: String) -> Bool {
        let text = Array(text.lowercased())
        var tokens: [Character?] = []  // nil = %, "\u{0}" = _
        var escaped = false
        for character in pattern.lowercased() {
            if escaped {
                tokens.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "%" {
                tokens.append(nil)
            } else if character == "_" {
                tokens.append("\u{0}")
            } else {
                tokens.append(character)
            }
        }
        func match(_ t: Int, _ p: Int) -> Bool {
            if p == tokens.count { return t == text.count }
            guard let token = tokens[p] else {
                return (t...text.count).contains { match($0, p + 1) }
            }
            guard t < text.count, token == "\u{0}" || token == text[t] else { return false }
            return match(t + 1, p + 1)
        }
        return match(0, 0)
    }

    func binlogStatus(of id: Int) -> SimulatedAnswer {
        let server = servers[id]
        var columns = ["File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB"]
        var row: [String?] = [server.binlogFile, String(server.binlogPosition), "", ""]
        if !server.isMariaDB {
            columns.append("Executed_Gtid_Set")
            row.append(server.executedGTIDs.text(mariaDB: false))
        }
        return .resultSet(columns: columns, rows: [row])
    }

    /// The ids of the servers whose IO thread is connected to `id`, by key.
    func connectedReplicas(of id: Int) -> [Int] {
        (replicasBySource[id] ?? []).filter { ioStatus(of: $0) == .running(source: id) }
            .sorted { servers[$0].key < servers[$1].key }
    }

    func replicaHosts(of id: Int, replicaSpelling: Bool) -> SimulatedAnswer {
        let server = servers[id]
        let replicas = connectedReplicas(of: id)
        if server.isMariaDB {
            return .resultSet(
                columns: ["Server_id", "Host", "Port", "Master_id"],
                rows: replicas.map { replica in
                    let r = servers[replica]
                    return [String(r.serverID), r.key.hostname, String(r.key.port), String(server.serverID)]
                })
        }
        let columns =
            replicaSpelling
            ? ["Server_Id", "Host", "Port", "Source_Id", "Replica_UUID"]
            : ["Server_id", "Host", "Port", "Master_id", "Slave_UUID"]
        return .resultSet(
            columns: columns,
            rows: replicas.map { replica in
                let r = servers[replica]
                return [String(r.serverID), r.key.hostname, String(r.key.port), String(server.serverID), r.serverUUID]
            })
    }

    /// `SHOW SLAVE STATUS` / `SHOW REPLICA STATUS`: no row without replication, else one row with the columns of
    /// the server's flavour and the statement's spelling.
    func replicationStatus(of id: Int, spelling: SimulatedStatement.Spelling, now: ContinuousClock.Instant) -> SimulatedAnswer {
        let server = servers[id]
        let columns: [String]
        if server.isMariaDB {
            columns = Self.mariaDBStatusColumns
        } else if spelling == .replica {
            columns = Self.mySQLStatusColumns
        } else {
            columns = Self.mySQLSlaveStatusColumns
        }
        guard let link = server.link else { return .resultSet(columns: columns, rows: []) }
        let io = ioStatus(of: id)
        let mariaDB = server.isMariaDB
        let source = !mariaDB && server.profile.triple >= (8, 0, 26) ? "source" : "master"
        let ioRunning: String
        let ioState: String
        var ioErrorNumber = link.lastIOErrorNumber
        var ioError = link.lastIOError
        switch io {
        case .stopped:
            ioRunning = "No"
            ioState = ""
        case .connecting(let number, let message):
            ioRunning = "Connecting"
            ioState = link.hasConnected ? "Reconnecting after a failed \(source) event read" : "Connecting to \(source)"
            ioErrorNumber = number
            ioError = message
        case .running:
            ioRunning = "Yes"
            ioState = "Waiting for \(source) to send event"
        }
        let sqlState: String
        if !link.sqlRunning {
            sqlState = ""
        } else if link.pending.isEmpty {
            sqlState = mariaDB
                ? "Slave has read all relay log; waiting for more updates"
                : "Replica has read all relay log; waiting for more updates"
        } else {
            sqlState = mariaDB ? "Reading event from the relay log" : "Waiting for dependent transaction to commit"
        }
        let behind = secondsBehind(id, now: now).map(String.init)
        let relayFile = server.profile.relayLogPrefix + "." + sixDigits(link.relayFileNumber)
        let relaySpace = String(link.relayPosition + 256)
        let common: [String: String?] = [
            "Host": link.sourceHost, "User": link.user, "Port": String(link.sourcePort),
            "Connect_Retry": String(link.connectRetry), "Log_File": link.readFile,
            "Read_Pos": String(link.readPosition), "Relay_Log_File": relayFile,
            "Relay_Log_Pos": String(link.relayPosition), "Relay_Log_File_Exec": link.execFile,
            "IO_Running": ioRunning, "SQL_Running": link.sqlRunning ? "Yes" : "No",
            "Exec_Pos": String(link.execPosition), "Relay_Log_Space": relaySpace, "Behind": behind,
            "Last_IO_Errno": String(ioErrorNumber), "Last_IO_Error": ioError,
            "Last_SQL_Errno": String(link.lastSQLErrorNumber), "Last_SQL_Error": link.lastSQLError,
            "Server_Id": String(link.sourceServerID), "IO_State": ioState, "SQL_State": sqlState,
        ]
        var row: [String?] = []
        for column in columns {
            row.append(Self.statusValue(column, common: common, link: link, server: server))
        }
        return .resultSet(columns: columns, rows: [row])
    }

    private static func statusValue(
        _ column: String, common: [String: String?], link: SimulatedReplicaLink, server: SimulatedServer
    ) -> String? {
        let name = canonicalStatusColumns[column] ?? column
        switch name {
        case "Slave_IO_State": return common["IO_State"]!
        case "Master_Host": return common["Host"]!
        case "Master_User": return common["User"]!
        case "Master_Port": return common["Port"]!
        case "Connect_Retry": return common["Connect_Retry"]!
        case "Master_Log_File": return common["Log_File"]!
        case "Read_Master_Log_Pos": return common["Read_Pos"]!
        case "Relay_Log_File": return common["Relay_Log_File"]!
        case "Relay_Log_Pos": return common["Relay_Log_Pos"]!
        case "Relay_Master_Log_File": return common["Relay_Log_File_Exec"]!
        case "Slave_IO_Running": return common["IO_Running"]!
        case "Slave_SQL_Running": return common["SQL_Running"]!
        case "Last_Errno": return common["Last_SQL_Errno"]!
        case "Last_Error": return common["Last_SQL_Error"]!
        case "Skip_Counter", "Until_Log_Pos", "SQL_Delay", "Slave_DDL_Groups", "Slave_Non_Transactional_Groups",
            "Get_master_public_key", "Get_Master_public_key":
            return "0"
        case "Slave_Transactional_Groups": return String(server.replicaGTIDs.transactionCount)
        case "Exec_Master_Log_Pos": return common["Exec_Pos"]!
        case "Relay_Log_Space": return common["Relay_Log_Space"]!
        case "Until_Condition": return "None"
        case "Master_SSL_Allowed", "Master_SSL_Verify_Server_Cert": return "No"
        case "Seconds_Behind_Master": return common["Behind"]!
        case "Last_IO_Errno": return common["Last_IO_Errno"]!
        case "Last_IO_Error": return common["Last_IO_Error"]!
        case "Last_SQL_Errno": return common["Last_SQL_Errno"]!
        case "Last_SQL_Error": return common["Last_SQL_Error"]!
        case "Master_Server_Id": return common["Server_Id"]!
        case "Master_UUID": return link.sourceUUID
        case "Master_Info_File": return "mysql.slave_master_info"
        case "SQL_Remaining_Delay", "Master_TLS_Version": return name == "Master_TLS_Version" ? "" : nil
        case "Slave_SQL_Running_State": return common["SQL_State"]!
        case "Master_Retry_Count": return "86400"
        case "Last_IO_Error_Timestamp": return link.lastIOErrorTimestamp
        case "Using_Gtid": return link.usingGTID
        case "Gtid_IO_Pos": return link.received.text(mariaDB: true)
        case "Parallel_Mode": return "optimistic"
        case "Retrieved_Gtid_Set": return link.received.text(mariaDB: false)
        case "Executed_Gtid_Set": return server.executedGTIDs.text(mariaDB: false)
        case "Auto_Position": return link.autoPosition ? "1" : "0"
        default: return ""
        }
    }

    /// MySQL's `SHOW SLAVE STATUS` columns: `SHOW REPLICA STATUS`'s with Source/Replica renamed Master/Slave.
    static let mySQLSlaveStatusColumns = mySQLStatusColumns.map(slaveSpelling)

    /// Every status column name (of either spelling) to its Master/Slave spelling, which `statusValue` matches.
    static let canonicalStatusColumns: [String: String] = {
        var names: [String: String] = [:]
        for column in mariaDBStatusColumns + mySQLStatusColumns + mySQLSlaveStatusColumns {
            names[column] = slaveSpelling(column)
        }
        return names
    }()

    static func slaveSpelling(_ column: String) -> String {
        column.replacingOccurrences(of: "Replica", with: "Slave").replacingOccurrences(of: "Source", with: "Master")
    }

    /// The columns of MariaDB 10.11's `SHOW SLAVE STATUS` (also `SHOW REPLICA STATUS`), in order.
    static let mariaDBStatusColumns = [
        "Slave_IO_State", "Master_Host", "Master_User", "Master_Port", "Connect_Retry", "Master_Log_File",
        "Read_Master_Log_Pos", "Relay_Log_File", "Relay_Log_Pos", "Relay_Master_Log_File", "Slave_IO_Running",
        "Slave_SQL_Running", "Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Do_Table", "Replicate_Ignore_Table",
        "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table", "Last_Errno", "Last_Error", "Skip_Counter",
        "Exec_Master_Log_Pos", "Relay_Log_Space", "Until_Condition", "Until_Log_File", "Until_Log_Pos",
        "Master_SSL_Allowed", "Master_SSL_CA_File", "Master_SSL_CA_Path", "Master_SSL_Cert", "Master_SSL_Cipher",
        "Master_SSL_Key", "Seconds_Behind_Master", "Master_SSL_Verify_Server_Cert", "Last_IO_Errno", "Last_IO_Error",
        "Last_SQL_Errno", "Last_SQL_Error", "Replicate_Ignore_Server_Ids", "Master_Server_Id", "Master_SSL_Crl",
        "Master_SSL_Crlpath", "Using_Gtid", "Gtid_IO_Pos", "Replicate_Do_Domain_Ids", "Replicate_Ignore_Domain_Ids",
        "Parallel_Mode", "SQL_Delay", "SQL_Remaining_Delay", "Slave_SQL_Running_State", "Slave_DDL_Groups",
        "Slave_Non_Transactional_Groups", "Slave_Transactional_Groups", "Replicate_Rewrite_DB",
    ]

    /// The columns of MySQL 8's `SHOW REPLICA STATUS`, in order (`SHOW SLAVE STATUS` renames Source/Replica).
    static let mySQLStatusColumns = [
        "Replica_IO_State", "Source_Host", "Source_User", "Source_Port", "Connect_Retry", "Source_Log_File",
        "Read_Source_Log_Pos", "Relay_Log_File", "Relay_Log_Pos", "Relay_Source_Log_File", "Replica_IO_Running",
        "Replica_SQL_Running", "Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Do_Table",
        "Replicate_Ignore_Table", "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table", "Last_Errno",
        "Last_Error", "Skip_Counter", "Exec_Source_Log_Pos", "Relay_Log_Space", "Until_Condition", "Until_Log_File",
        "Until_Log_Pos", "Source_SSL_Allowed", "Source_SSL_CA_File", "Source_SSL_CA_Path", "Source_SSL_Cert",
        "Source_SSL_Cipher", "Source_SSL_Key", "Seconds_Behind_Source", "Source_SSL_Verify_Server_Cert",
        "Last_IO_Errno", "Last_IO_Error", "Last_SQL_Errno", "Last_SQL_Error", "Replicate_Ignore_Server_Ids",
        "Source_Server_Id", "Source_UUID", "Source_Info_File", "SQL_Delay", "SQL_Remaining_Delay",
        "Replica_SQL_Running_State", "Source_Retry_Count", "Source_Bind", "Last_IO_Error_Timestamp",
        "Last_SQL_Error_Timestamp", "Source_SSL_Crl", "Source_SSL_Crlpath", "Retrieved_Gtid_Set", "Executed_Gtid_Set",
        "Auto_Position", "Replicate_Rewrite_DB", "Channel_Name", "Source_TLS_Version", "Source_public_key_path",
        "Get_Source_public_key", "Network_Namespace",
    ]
}
