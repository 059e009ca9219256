import BatonCore
import Testing

@testable import BatonMySQL

/// Answers statements from a table; a statement not in the table fails like a server error would.
struct ScriptedSession: ProbeSession {
    var answers: [(prefix: String, rows: [ProbeRow])]
    var failing: [String] = []

    struct Failure: Error {}

    func rows(_ sql: String) async throws -> [ProbeRow] {
        if failing.contains(where: { sql.hasPrefix($0) }) { throw Failure() }
        guard let answer = answers.first(where: { sql.hasPrefix($0.prefix) }) else { throw Failure() }
        return answer.rows
    }
}

func nameValues(_ pairs: [(String, String)]) -> [ProbeRow] {
    pairs.map { ProbeRow(columns: ["Variable_name", "Value"], values: [$0.0, $0.1]) }
}

@Suite struct InstanceProberTests {
    static let mariaDBReplicaVariables = nameValues([
        ("hostname", "db-2"), ("report_host", "127.0.0.1"), ("server_id", "102"),
        ("version", "10.11.6-MariaDB-0+deb12u1-log"), ("version_comment", "Debian 12"), ("read_only", "ON"),
        ("log_bin", "ON"), ("log_slave_updates", "ON"), ("binlog_format", "ROW"), ("binlog_row_image", "FULL"),
        ("gtid_current_pos", "0-101-42"), ("gtid_binlog_pos", "0-101-42"), ("gtid_slave_pos", "0-101-42"),
        ("rpl_semi_sync_master_enabled", "OFF"), ("rpl_semi_sync_slave_enabled", "OFF"),
    ])

    static let replicaStatus = ProbeRow(
        columns: [
            "Slave_IO_State", "Master_Host", "Master_Port", "Master_Log_File", "Read_Master_Log_Pos",
            "Relay_Log_File", "Relay_Log_Pos", "Relay_Master_Log_File", "Slave_IO_Running", "Slave_SQL_Running",
            "Replicate_Do_DB", "Last_IO_Errno", "Last_IO_Error", "Last_SQL_Errno", "Last_SQL_Error",
            "Exec_Master_Log_Pos", "Seconds_Behind_Master", "SQL_Delay", "Using_Gtid", "Gtid_IO_Pos",
        ],
        values: [
            "Reconnecting after a failed master event read", "127.0.0.1", "23301", "mysql-bin.000002", "1234",
            "relay.000003", "555", "mysql-bin.000002", "Connecting", "Yes", "", "2003",
            "error reconnecting to master 'repl@127.0.0.1:23301' - retry-time: 1", "0", "", "1200", nil, "0",
            "Slave_Pos", "0-101-42",
        ])

    func session(failing: [String] = []) -> ScriptedSession {
        ScriptedSession(
            answers: [
                ("SHOW GLOBAL VARIABLES", Self.mariaDBReplicaVariables),
                ("SHOW GLOBAL STATUS", nameValues([("Uptime", "3600"), ("Rpl_semi_sync_master_clients", "0")])),
                ("SHOW MASTER STATUS", [ProbeRow(columns: ["File", "Position"], values: ["mysql-bin.000001", "789"])]),
                ("SHOW SLAVE STATUS", [Self.replicaStatus]),
                (
                    "SHOW SLAVE HOSTS",
                    [
                        ProbeRow(columns: ["Server_id", "Host", "Port", "Master_id"], values: ["105", "127.0.0.1", "23305", "102"]),
                        ProbeRow(columns: ["Server_id", "Host", "Port", "Master_id"], values: ["106", "", "3306", "102"]),
                    ]
                ),
                ("SELECT HOST FROM information_schema.PROCESSLIST", [ProbeRow(columns: ["HOST"], values: ["10.0.0.9:51234"])]),
            ], failing: failing)
    }

    @Test func readsAMariaDBReplica() async throws {
        let prober = InstanceProber(options: .init(discoverByShowReplicaHosts: true, defaultPort: 3306))
        let outcome = await prober.probe(session())
        guard case .success(let facts) = outcome else {
            Issue.record("expected success, got \(outcome)")
            return
        }
        #expect(facts.serverID == 102)
        #expect(facts.version?.flavor == .mariadb)
        #expect(facts.readOnly)
        #expect(facts.logBinEnabled && facts.logReplicaUpdatesEnabled)
        #expect(facts.binlogFormat == "ROW")
        #expect(facts.executedGTIDSet == "0-101-42")
        #expect(facts.gtidMode == "ON")
        #expect(facts.binlogFile == "mysql-bin.000001" && facts.binlogPosition == 789)
        #expect(facts.uptimeSeconds == 3600)
        let replication = try #require(facts.replication)
        #expect(replication.sourceKey == InstanceKey(hostname: "127.0.0.1", port: 23301))
        #expect(replication.ioThread == .other)
        #expect(replication.sqlThread == .running)
        #expect(replication.lastIOErrorNumber == 2003)
        #expect(replication.lastIOError.contains("error reconnecting to master"))
        #expect(replication.secondsBehindSource == nil)
        #expect(replication.usesGTIDPositioning)
        #expect(facts.usingMariaDBGTID)
        // The registration without a report_host is skipped.
        #expect(facts.replicaKeys == [InstanceKey(hostname: "127.0.0.1", port: 23305)])
    }

    @Test func processlistFallbackUsesTheDefaultPort() async throws {
        let prober = InstanceProber(options: .init(discoverByShowReplicaHosts: false, defaultPort: 3307))
        let facts = try #require(await prober.probe(session()).facts)
        #expect(facts.replicaKeys == [InstanceKey(hostname: "10.0.0.9", port: 3307)])
    }

    @Test func firstQueryFailingIsAFailure() async {
        let outcome = await InstanceProber().probe(session(failing: ["SHOW GLOBAL VARIABLES"]))
        guard case .failure = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
    }

    @Test func laterQueryFailingIsPartial() async {
        let outcome = await InstanceProber().probe(session(failing: ["SHOW SLAVE STATUS"]))
        guard case .partial(let facts, _) = outcome else {
            Issue.record("expected partial, got \(outcome)")
            return
        }
        #expect(facts.serverID == 102)
    }

    @Test func mysql84UsesReplicaStatementsAndSourceColumns() async throws {
        let variables = nameValues([
            ("version", "8.4.2"), ("server_id", "7"), ("server_uuid", "3e11fa47-71ca-11e1-9e33-c80aa9429562"),
            ("log_bin", "ON"), ("log_replica_updates", "ON"), ("gtid_mode", "ON"),
            ("gtid_executed", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n4e11fa47-71ca-11e1-9e33-c80aa9429562:1-2"),
            ("super_read_only", "ON"), ("read_only", "ON"),
        ])
        let status = ProbeRow(
            columns: [
                "Source_Host", "Source_Port", "Replica_IO_Running", "Replica_SQL_Running", "Seconds_Behind_Source",
                "Auto_Position", "Source_UUID",
            ],
            values: ["db-1", "3306", "Yes", "Yes", "3", "1", "3e11fa47-71ca-11e1-9e33-c80aa9429562"])
        let session = ScriptedSession(answers: [
            ("SHOW GLOBAL VARIABLES", variables), ("SHOW GLOBAL STATUS", []),
            ("SHOW BINARY LOG STATUS", [ProbeRow(columns: ["File", "Position"], values: ["binlog.000009", "42"])]),
            ("SHOW REPLICA STATUS", [status]), ("SHOW REPLICAS", []), ("SELECT HOST", []),
        ])
        let facts = try #require(
            await InstanceProber(options: .init(discoverByShowReplicaHosts: true)).probe(session).facts)
        #expect(facts.version?.flavor == .mysql)
        #expect(facts.superReadOnly)
        #expect(facts.logReplicaUpdatesEnabled)
        #expect(!facts.executedGTIDSet.contains("\n"))
        #expect(facts.binlogPosition == 42)
        let replication = try #require(facts.replication)
        #expect(replication.sourceKey == InstanceKey(hostname: "db-1", port: 3306))
        #expect(replication.isReplicating)
        #expect(replication.secondsBehindSource == 3)
        #expect(facts.usingOracleGTID)
    }

    @Test func resetReplicationMeansPrimary() {
        let row = ProbeRow(columns: ["Master_Host", "Master_Port", "Slave_IO_Running"], values: ["", "0", "No"])
        #expect(InstanceProber.replicationStatus(from: row) == nil)
    }
}
