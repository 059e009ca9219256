import BatonCore

extension FleetState {
    /// Runs one SQL statement on server `id` as a real server of its flavour and version would.
    mutating func execute(
        _ sql: String, on id: Int, session: inout SimulatedSession, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        execute(SimulatedStatement.parse(sql), on: id, session: &session, now: now)
    }

    /// Runs an already parsed statement (the shell caches parses: clients send the same statements again and again).
    mutating func execute(
        _ statement: SimulatedStatement, on id: Int, session: inout SimulatedSession, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        settle(now: now)
        if case .showWarnings = statement {
            return .resultSet(
                columns: ["Level", "Code", "Message"],
                rows: session.warnings.map { [$0.level, String($0.code), $0.message] })
        }
        let answer = answer(statement, on: id, now: now)
        if case .ok(_, let warnings) = answer {
            session.warnings = warnings
        } else if case .error(let error) = answer {
            session.warnings = [SimulatedWarning(level: "Error", code: error.number, message: error.message)]
        } else {
            session.warnings = []
        }
        return answer
    }

    private mutating func answer(_ statement: SimulatedStatement, on id: Int, now: ContinuousClock.Instant) -> SimulatedAnswer {
        let profile = servers[id].profile
        switch statement {
        case .showVariables(let filter):
            return nameValueResult(variables(of: id), filter)
        case .showStatus(let filter):
            return nameValueResult(status(of: id, now: now), filter)
        case .showBinlogStatus(let binaryLog, let binlog):
            if binaryLog, !profile.acceptsShowBinaryLogStatus {
                return syntaxError(id, near: profile.isMariaDB ? "LOG STATUS" : "BINARY LOG STATUS")
            }
            if binlog, !profile.acceptsShowBinlogStatus { return syntaxError(id, near: "BINLOG STATUS") }
            if !binaryLog, !binlog, !profile.acceptsShowMasterStatus { return syntaxError(id, near: "MASTER STATUS") }
            return binlogStatus(of: id)
        case .showReplicationStatus(let spelling):
            if spelling == .slave, !profile.acceptsSlaveForms { return syntaxError(id, near: "SLAVE STATUS") }
            if spelling == .replica, !profile.acceptsReplicaForms { return syntaxError(id, near: "REPLICA STATUS") }
            return replicationStatus(of: id, spelling: spelling, now: now)
        case .showReplicaHosts(let slaveHosts, let replicas):
            if slaveHosts, !profile.acceptsSlaveForms { return syntaxError(id, near: "SLAVE HOSTS") }
            if replicas, !profile.acceptsShowReplicas { return syntaxError(id, near: "REPLICAS") }
            if !slaveHosts, !replicas, !profile.acceptsShowReplicaHosts { return syntaxError(id, near: "REPLICA HOSTS") }
            return replicaHosts(of: id, replicaSpelling: replicas)
        case .binlogDumpHosts:
            return .resultSet(
                columns: ["HOST"],
                rows: connectedReplicas(of: id).map { ["\(servers[$0].key.hostname):\(40_000 + $0 % 20_000)"] })
        case .stopReplication(let threads, let spelling):
            if let refusal = spellingRefusal(spelling, on: id) { return refusal }
            return stopReplication(threads, on: id, now: now)
        case .startReplication(let threads, let spelling):
            if let refusal = spellingRefusal(spelling, on: id) { return refusal }
            return startReplication(threads, on: id, now: now)
        case .resetReplication(let all, let spelling):
            if let refusal = spellingRefusal(spelling, on: id) { return refusal }
            return resetReplication(all: all, on: id)
        case .changeSource(let options, let spelling):
            if spelling == .slave, !profile.acceptsSlaveForms {
                return syntaxError(id, near: "MASTER TO " + options.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
            }
            if spelling == .replica, !profile.acceptsSourceForm {
                return syntaxError(id, near: "REPLICATION SOURCE TO " + options.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
            }
            return changeSource(options, on: id, now: now)
        case .setGlobal(let options):
            for option in options {
                if case .error(let error) = setGlobal(option.name, option.value, on: id, now: now) {
                    return .error(error)
                }
            }
            return .ok()
        case .setWithoutGlobal(let name):
            if variables(of: id)[name] != nil {
                return .error(1229, "HY000", "Variable '\(name)' is a GLOBAL variable and should be set with SET GLOBAL")
            }
            return .error(1193, "HY000", "Unknown system variable '\(name)'")
        case .gtidWait(let function, let label, let text, let timeout):
            return gtidWait(function: function, label: label, gtids: text, timeout: timeout, on: id, now: now)
        case .positionWait(let function, let label, let file, let position, let timeout):
            let supported = function == "MASTER_POS_WAIT" ? profile.acceptsMasterPosWait : profile.acceptsSourcePosWait
            guard supported else { return .error(1305, "42000", "FUNCTION \(function) does not exist") }
            guard let link = servers[id].link, link.sqlRunning else {
                return .resultSet(columns: [label], rows: [[nil]])
            }
            let wait = SimulatedWait(
                target: .position(file: file, position: position), label: label, deadline: deadline(timeout, now),
                reached: "0", timedOut: "-1")
            return evaluate(wait, on: id, now: now) ?? .wait(wait)
        case .selectValues(let items):
            let values = variables(of: id)
            var row: [String?] = []
            for item in items {
                if let literal = item.literal {
                    row.append(literal)
                } else if let name = item.variable {
                    guard let value = values[name] ?? Self.sessionValues[name] else {
                        return .error(1193, "HY000", "Unknown system variable '\(name)'")
                    }
                    row.append(Self.booleanVariables.contains(name) ? (value == "ON" ? "1" : "0") : value)
                }
            }
            return .resultSet(columns: items.map(\.label), rows: [row])
        case .write:
            let server = servers[id]
            if server.superReadOnly {
                return .error(1290, "HY000", "The \(profile.serverName) server is running with the --super-read-only option so it cannot execute this statement")
            }
            if server.readOnly {
                return .error(1290, "HY000", "The \(profile.serverName) server is running with the --read-only option so it cannot execute this statement")
            }
            write(1, on: id, now: now)
            return .ok(affectedRows: 1)
        case .showWarnings, .ignored:
            return .ok()
        case .unsupported(let near):
            return syntaxError(id, near: near)
        }
    }

    func syntaxError(_ id: Int, near: String) -> SimulatedAnswer {
        let manual = servers[id].profile.serverName
        return .error(
            1064, "42000",
            "You have an error in your SQL syntax; check the manual that corresponds to your \(manual) server version "
                + "for the right syntax to use near '\(String(near.prefix(80)))' at line 1")
    }

    /// MySQL 8.4 removed the SLAVE forms; servers before MariaDB 10.5 and MySQL 8.0.22 lack the REPLICA forms.
    private func spellingRefusal(_ spelling: SimulatedStatement.Spelling, on id: Int) -> SimulatedAnswer? {
        let profile = servers[id].profile
        if spelling == .slave, !profile.acceptsSlaveForms { return syntaxError(id, near: "SLAVE") }
        if spelling == .replica, !profile.acceptsReplicaForms { return syntaxError(id, near: "REPLICA") }
        return nil
    }

    private mutating func stopReplication(
        _ threads: SimulatedStatement.Threads, on id: Int, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        let mariaDB = servers[id].isMariaDB
        let alreadyStopped: SimulatedAnswer =
            mariaDB
            ? .note(1255, "Slave already has been stopped")
            : .note(3084, "Replication thread(s) for channel '' are already stopped.")
        guard var link = servers[id].link else { return alreadyStopped }
        var stoppedSomething = false
        if threads != .sql, link.ioWanted {
            if case .connecting(let number, let message) = ioStatus(of: id) {
                link.lastIOErrorNumber = number
                link.lastIOError = message
            }
            link.ioWanted = false
            stoppedSomething = true
        }
        if threads != .io, link.sqlRunning {
            link.sqlRunning = false
            stoppedSomething = true
        }
        servers[id].link = link
        guard stoppedSomething else { return alreadyStopped }
        record(.replicationStopped, id, "\(threads)")
        return .ok()
    }

    private mutating func startReplication(
        _ threads: SimulatedStatement.Threads, on id: Int, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        let mariaDB = servers[id].isMariaDB
        guard var link = servers[id].link, !link.sourceHost.isEmpty else {
            return mariaDB
                ? .error(1200, "HY000", "Misconfigured slave: MASTER_HOST was not set; Fix in config file or with CHANGE MASTER TO")
                : .error(1200, "HY000", "The server is not configured as replica; fix in config file or with CHANGE REPLICATION SOURCE TO")
        }
        var startedSomething = false
        if threads != .sql, !link.ioWanted {
            link.ioWanted = true
            link.hasConnected = false
            link.lastIOErrorNumber = 0
            link.lastIOError = ""
            startedSomething = true
        }
        if threads != .io, !link.sqlRunning {
            link.sqlRunning = true
            link.lastSQLErrorNumber = 0
            link.lastSQLError = ""
            startedSomething = true
        }
        servers[id].link = link
        guard startedSomething else {
            return mariaDB
                ? .note(1254, "Slave is already running")
                : .note(3083, "Replication thread(s) for channel '' are already runnning.")
        }
        record(.replicationStarted, id, "\(threads)")
        propagate(from: id, now: now)
        return .ok()
    }

    private mutating func resetReplication(all: Bool, on id: Int) -> SimulatedAnswer {
        guard let link = servers[id].link else { return .ok() }
        if link.ioWanted || link.sqlRunning {
            return servers[id].isMariaDB
                ? .error(1198, "HY000", "This operation cannot be performed as you have a running slave ''; run STOP SLAVE '' first")
                : .error(3082, "HY000", "This operation cannot be performed with running replication threads; run STOP REPLICA FOR CHANNEL '' first")
        }
        let old = source(of: link)
        if all {
            servers[id].link = nil
            lagging.remove(id)
            relink(id, from: old)
            record(.replicationReset, id, "all")
        } else {
            var reset = SimulatedReplicaLink(sourceHost: link.sourceHost, sourcePort: link.sourcePort)
            reset.usingGTID = link.usingGTID
            reset.autoPosition = link.autoPosition
            reset.ioWanted = false
            reset.sqlRunning = false
            servers[id].link = reset
            lagging.remove(id)
        }
        return .ok()
    }

    private mutating func changeSource(
        _ options: [SimulatedStatement.Option], on id: Int, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        let mariaDB = servers[id].isMariaDB
        if let link = servers[id].link {
            if mariaDB, link.ioWanted || link.sqlRunning {
                return .error(1198, "HY000", "This operation cannot be performed as you have a running slave ''; run STOP SLAVE '' first")
            }
            if !mariaDB, link.ioWanted {
                return .error(3021, "HY000", "This operation cannot be performed with a running replica io thread; run STOP REPLICA IO_THREAD FOR CHANNEL '' first.")
            }
        }
        var link = servers[id].link ?? {
            var fresh = SimulatedReplicaLink(sourceHost: "", sourcePort: 3306)
            fresh.ioWanted = false
            fresh.sqlRunning = false
            fresh.usingGTID = "No"
            fresh.autoPosition = false
            return fresh
        }()
        let old = servers[id].link.flatMap { source(of: $0) }
        var moved = servers[id].link == nil
        for option in options {
            switch option.name {
            case "HOST":
                moved = moved || option.value != link.sourceHost
                link.sourceHost = option.value
            case "PORT":
                guard let port = Int(option.value), (0...65535).contains(port) else {
                    return syntaxError(id, near: option.value)
                }
                moved = moved || port != link.sourcePort
                link.sourcePort = port
            case "USER":
                link.user = option.value
            case "CONNECT_RETRY":
                link.connectRetry = Int(option.value) ?? link.connectRetry
            case "USE_GTID" where mariaDB:
                switch option.value.lowercased() {
                case "slave_pos": link.usingGTID = "Slave_Pos"
                case "current_pos": link.usingGTID = "Current_Pos"
                case "no": link.usingGTID = "No"
                default: return syntaxError(id, near: option.value)
                }
            case "AUTO_POSITION" where !mariaDB:
                link.autoPosition = option.value == "1"
            case "PASSWORD", "LOG_FILE", "LOG_POS", "SSL", "SSL_CA", "SSL_VERIFY_SERVER_CERT", "HEARTBEAT_PERIOD",
                "DELAY", "GET_SOURCE_PUBLIC_KEY", "GET_MASTER_PUBLIC_KEY", "RETRY_COUNT":
                continue
            default:
                return syntaxError(id, near: "\(option.name)=\(option.value)")
            }
        }
        if moved {
            link.readFile = ""
            link.readPosition = 4
            link.execFile = ""
            link.execPosition = 0
            link.relayFileNumber += 1
            link.relayPosition = 4
            link.received = SimulatedGTIDSet()
            link.pending = []
            link.hasConnected = false
            lagging.remove(id)
        }
        servers[id].link = link
        relink(id, from: old)
        record(.sourceChanged, id, "\(link.sourceHost):\(link.sourcePort)")
        return .ok()
    }

    private mutating func setGlobal(
        _ name: String, _ value: String, on id: Int, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        let mariaDB = servers[id].isMariaDB
        func flag() -> Bool? {
            switch value.uppercased() {
            case "1", "ON", "TRUE": true
            case "0", "OFF", "FALSE": false
            default: nil
            }
        }
        switch name {
        case "read_only":
            guard let on = flag() else {
                return .error(1231, "42000", "Variable 'read_only' can't be set to the value of '\(value)'")
            }
            if servers[id].readOnly != on { record(.readOnlyChanged, id, on ? "ON" : "OFF") }
            servers[id].readOnly = on
            if !on { servers[id].superReadOnly = false }
            return .ok()
        case "super_read_only" where !mariaDB:
            guard let on = flag() else {
                return .error(1231, "42000", "Variable 'super_read_only' can't be set to the value of '\(value)'")
            }
            servers[id].superReadOnly = on
            if on, !servers[id].readOnly {
                servers[id].readOnly = true
                record(.readOnlyChanged, id, "ON")
            }
            return .ok()
        case "gtid_slave_pos" where mariaDB:
            if let link = servers[id].link, link.ioWanted || link.sqlRunning {
                return .error(1198, "HY000", "This operation cannot be performed as you have a running slave ''; run STOP SLAVE '' first")
            }
            guard let position = SimulatedGTIDSet(parsing: value, mariaDB: true) else {
                return .error(1941, "HY000", "Could not parse GTID list")
            }
            servers[id].replicaGTIDs = position
            servers[id].executedGTIDs = servers[id].binlogGTIDs.union(position)
            return .ok()
        default:
            guard variables(of: id)[name] != nil else {
                return .error(1193, "HY000", "Unknown system variable '\(name)'")
            }
            if Self.readOnlyVariables.contains(name) {
                return .error(1238, "HY000", "Variable '\(name)' is a read only variable")
            }
            servers[id].variableOverrides[name] = value
            return .ok()
        }
    }

    static let booleanVariables: Set<String> = [
        "read_only", "super_read_only", "log_bin", "log_slave_updates", "log_replica_updates", "gtid_strict_mode",
        "rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled", "autocommit",
    ]

    static let readOnlyVariables: Set<String> = [
        "version", "version_comment", "hostname", "log_bin", "log_slave_updates", "log_replica_updates", "port",
        "report_host", "report_port", "server_uuid", "gtid_executed", "gtid_binlog_pos", "gtid_current_pos",
    ]

    /// Values `SELECT @@x` finds that `SHOW GLOBAL VARIABLES` does not list here.
    static let sessionValues: [String: String] = [
        "autocommit": "ON", "sql_mode": "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
        "max_allowed_packet": "16777216", "tx_isolation": "REPEATABLE-READ", "transaction_isolation": "REPEATABLE-READ",
    ]
}
