import BatonCore

/// Reads one instance's facts over an open session: identity and variables, status, binary log position,
/// replication status and the list of replicas.
///
/// The first statement decides between failure and partial success: if it fails nothing is known; if a later
/// one fails the facts read so far come back as `.partial`.
public struct InstanceProber: Sendable {
    public struct Options: Sendable {
        /// orchestrator's `DiscoverByShowSlaveHosts`: list replicas with `SHOW SLAVE HOSTS` before falling back
        /// to the binlog dump threads of the processlist.
        public var discoverByShowReplicaHosts: Bool
        /// The port assumed for a replica found in the processlist, which shows hosts without ports.
        public var defaultPort: Int

        public init(discoverByShowReplicaHosts: Bool = false, defaultPort: Int = 3306) {
            self.discoverByShowReplicaHosts = discoverByShowReplicaHosts
            self.defaultPort = defaultPort
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public func probe(_ session: some ProbeSession) async -> ProbeOutcome {
        var facts = InstanceFacts()
        do {
            let variables = Self.nameValueMap(try await session.rows(ProbeQueries.variables))
            guard variables["version"] != nil else {
                return .failure(ProbeError("the server did not report @@version"))
            }
            Self.apply(variables: variables, to: &facts)
        } catch {
            return .failure(error)
        }
        do {
            let status = Self.nameValueMap(try await session.rows(ProbeQueries.status))
            Self.apply(status: status, to: &facts)
            if facts.logBinEnabled, let row = try await session.rows(ProbeQueries.binlogStatus(facts.version)).first {
                facts.binlogFile = row["File"] ?? ""
                facts.binlogPosition = Int64(row["Position"] ?? "") ?? 0
            }
            let replicationRows = try await session.rows(ProbeQueries.replicationStatus(facts.version))
            facts.replication = replicationRows.first.flatMap { Self.replicationStatus(from: $0) }
            facts.replicaKeys = try await replicaKeys(session, version: facts.version)
            return .success(facts)
        } catch {
            return .partial(facts, error)
        }
    }

    func replicaKeys(_ session: some ProbeSession, version: ServerVersion?) async throws -> [InstanceKey] {
        if options.discoverByShowReplicaHosts {
            let keys = try await session.rows(ProbeQueries.replicaHosts(version)).compactMap { row -> InstanceKey? in
                guard let host = row["Host"], !host.isEmpty, let port = Int(row["Port"] ?? ""), port > 0 else {
                    return nil
                }
                return InstanceKey(hostname: host, port: port)
            }
            if !keys.isEmpty { return Array(Set(keys)).sorted() }
        }
        let keys = try await session.rows(ProbeQueries.replicaProcesslist).compactMap { row -> InstanceKey? in
            // HOST is `address:ephemeral-port` of the replica's connection; only the address is useful.
            guard let host = row["HOST"], !host.isEmpty else { return nil }
            let address = Self.hostWithoutPort(host)
            return address.isEmpty ? nil : InstanceKey(hostname: address, port: options.defaultPort)
        }
        return Array(Set(keys)).sorted()
    }

    static func hostWithoutPort(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            return String(host[..<colon])
        }
        return host
    }

    /// Turns `Variable_name`/`Value` rows into a dictionary with lower-cased names.
    static func nameValueMap(_ rows: [ProbeRow]) -> [String: String] {
        var map: [String: String] = [:]
        for row in rows {
            guard let name = row.first("Variable_name", "VARIABLE_NAME") ?? row.values.first ?? nil else { continue }
            map[name.lowercased()] = row.first("Value", "VALUE") ?? (row.values.count > 1 ? row.values[1] : nil) ?? ""
        }
        return map
    }

    static func flag(_ value: String?) -> Bool {
        switch value?.uppercased() {
        case "ON", "1", "YES", "TRUE", "FORCE_PLUS_PERMANENT", "FORCE": true
        default: false
        }
    }

    static func apply(variables v: [String: String], to facts: inout InstanceFacts) {
        facts.reportedHostname = v["hostname"] ?? ""
        facts.reportHost = v["report_host"] ?? ""
        facts.serverID = UInt32(v["server_id"] ?? "") ?? 0
        facts.versionComment = v["version_comment"] ?? ""
        facts.version = ServerVersion(parsing: v["version"] ?? "", comment: facts.versionComment)
        facts.serverUUID = v["server_uuid"] ?? ""
        facts.readOnly = flag(v["read_only"])
        facts.superReadOnly = flag(v["super_read_only"])
        facts.logBinEnabled = flag(v["log_bin"])
        facts.logReplicaUpdatesEnabled = flag(v["log_replica_updates"] ?? v["log_slave_updates"])
        facts.binlogFormat = v["binlog_format"] ?? ""
        facts.binlogRowImage = v["binlog_row_image"] ?? ""
        if facts.version?.isMariaDB == true {
            // MariaDB always has GTIDs; the executed set is the current position (binlog or replicated).
            facts.gtidMode = "ON"
            facts.executedGTIDSet = v["gtid_current_pos"] ?? ""
            facts.mariaDBGTIDBinlogPos = v["gtid_binlog_pos"] ?? ""
            facts.mariaDBGTIDReplicaPos = v["gtid_slave_pos"] ?? ""
        } else {
            facts.gtidMode = v["gtid_mode"] ?? "OFF"
            facts.executedGTIDSet = Self.compactGTIDSet(v["gtid_executed"] ?? "")
            facts.gtidPurged = Self.compactGTIDSet(v["gtid_purged"] ?? "")
        }
        facts.semiSync.sourceEnabled = flag(v["rpl_semi_sync_source_enabled"] ?? v["rpl_semi_sync_master_enabled"])
        facts.semiSync.replicaEnabled = flag(v["rpl_semi_sync_replica_enabled"] ?? v["rpl_semi_sync_slave_enabled"])
        facts.semiSync.available = v["rpl_semi_sync_master_enabled"] != nil || v["rpl_semi_sync_source_enabled"] != nil
        facts.semiSync.sourceTimeoutMilliseconds =
            Int(v["rpl_semi_sync_source_timeout"] ?? v["rpl_semi_sync_master_timeout"] ?? "") ?? 0
        facts.semiSync.sourceWaitForReplicaCount =
            Int(v["rpl_semi_sync_source_wait_for_replica_count"] ?? v["rpl_semi_sync_master_wait_for_slave_count"] ?? "")
            ?? 0
    }

    static func apply(status s: [String: String], to facts: inout InstanceFacts) {
        facts.uptimeSeconds = Int64(s["uptime"] ?? "") ?? 0
        facts.semiSync.sourceStatus = flag(s["rpl_semi_sync_source_status"] ?? s["rpl_semi_sync_master_status"])
        facts.semiSync.replicaStatus = flag(s["rpl_semi_sync_replica_status"] ?? s["rpl_semi_sync_slave_status"])
        facts.semiSync.sourceClients = Int(s["rpl_semi_sync_source_clients"] ?? s["rpl_semi_sync_master_clients"] ?? "") ?? 0
    }

    /// MySQL prints GTID sets with newlines after commas; keep them on one line.
    static func compactGTIDSet(_ set: String) -> String {
        set.filter { $0 != "\n" && $0 != "\r" }
    }

    /// Parses one row of `SHOW SLAVE STATUS` or `SHOW REPLICA STATUS`. A row without a source host means
    /// replication was reset: the instance is a primary.
    static func replicationStatus(from row: ProbeRow) -> ReplicationStatus? {
        let host = row.first("Master_Host", "Source_Host") ?? ""
        guard !host.isEmpty, host != "_" else { return nil }
        let port = Int(row.first("Master_Port", "Source_Port") ?? "") ?? 0
        let autoPosition = row["Auto_Position"] == "1"
        let usingGTID = row["Using_Gtid"] ?? (autoPosition ? "AutoPosition" : "No")
        let filters = [
            "Replicate_Do_DB", "Replicate_Ignore_DB", "Replicate_Do_Table", "Replicate_Ignore_Table",
            "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table",
        ].contains { !(row[$0] ?? "").isEmpty }
        return ReplicationStatus(
            sourceKey: InstanceKey(hostname: host, port: port),
            sourceUUID: row.first("Master_UUID", "Source_UUID") ?? "",
            ioThread: ReplicationThreadState(statusValue: row.first("Slave_IO_Running", "Replica_IO_Running")),
            sqlThread: ReplicationThreadState(statusValue: row.first("Slave_SQL_Running", "Replica_SQL_Running")),
            ioState: row.first("Slave_IO_State", "Replica_IO_State") ?? "",
            lastIOErrorNumber: Int(row["Last_IO_Errno"] ?? "") ?? 0,
            lastIOError: row["Last_IO_Error"] ?? "",
            lastSQLErrorNumber: Int(row["Last_SQL_Errno"] ?? "") ?? 0,
            lastSQLError: row["Last_SQL_Error"] ?? "",
            secondsBehindSource: Int(row.first("Seconds_Behind_Master", "Seconds_Behind_Source") ?? ""),
            sqlDelaySeconds: Int(row["SQL_Delay"] ?? "") ?? 0,
            readSourceLogFile: row.first("Master_Log_File", "Source_Log_File") ?? "",
            readSourceLogPosition: Int64(row.first("Read_Master_Log_Pos", "Read_Source_Log_Pos") ?? "") ?? 0,
            execSourceLogFile: row.first("Relay_Master_Log_File", "Relay_Source_Log_File") ?? "",
            execSourceLogPosition: Int64(row.first("Exec_Master_Log_Pos", "Exec_Source_Log_Pos") ?? "") ?? 0,
            relayLogFile: row["Relay_Log_File"] ?? "",
            relayLogPosition: Int64(row["Relay_Log_Pos"] ?? "") ?? 0,
            usingGTID: usingGTID,
            retrievedGTIDSet: compactGTIDSet(row.first("Retrieved_Gtid_Set", "Gtid_IO_Pos") ?? ""),
            hasReplicationFilters: filters)
    }
}
