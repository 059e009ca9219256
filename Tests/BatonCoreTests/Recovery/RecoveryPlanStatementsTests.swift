import BatonCore
import Testing

@Suite struct RecoveryPlanStatementsTests {
    struct Flavour: Sendable, CustomTestStringConvertible {
        var version: String
        var stopIO: String
        var stop: String
        var start: String
        var reset: String
        var show: String
        var change: String
        var testDescription: String { version }
    }

    static let flavours: [Flavour] = [
        Flavour(
            version: "10.11.6-MariaDB-log", stopIO: "STOP SLAVE IO_THREAD", stop: "STOP SLAVE", start: "START SLAVE",
            reset: "RESET SLAVE ALL", show: "SHOW SLAVE STATUS",
            change: "CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos"),
        // MariaDB keeps the SLAVE/MASTER forms whatever its version number.
        Flavour(
            version: "11.4.2-MariaDB", stopIO: "STOP SLAVE IO_THREAD", stop: "STOP SLAVE", start: "START SLAVE",
            reset: "RESET SLAVE ALL", show: "SHOW SLAVE STATUS",
            change: "CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos"),
        Flavour(
            version: "5.7.44-log", stopIO: "STOP SLAVE IO_THREAD", stop: "STOP SLAVE", start: "START SLAVE",
            reset: "RESET SLAVE ALL", show: "SHOW SLAVE STATUS",
            change: "CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_AUTO_POSITION=1"),
        Flavour(
            version: "8.0.21", stopIO: "STOP SLAVE IO_THREAD", stop: "STOP SLAVE", start: "START SLAVE",
            reset: "RESET SLAVE ALL", show: "SHOW SLAVE STATUS",
            change: "CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_AUTO_POSITION=1"),
        // 8.0.22 has STOP REPLICA but not yet CHANGE REPLICATION SOURCE TO.
        Flavour(
            version: "8.0.22", stopIO: "STOP REPLICA IO_THREAD", stop: "STOP REPLICA", start: "START REPLICA",
            reset: "RESET REPLICA ALL", show: "SHOW REPLICA STATUS",
            change: "CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_AUTO_POSITION=1"),
        Flavour(
            version: "8.0.23", stopIO: "STOP REPLICA IO_THREAD", stop: "STOP REPLICA", start: "START REPLICA",
            reset: "RESET REPLICA ALL", show: "SHOW REPLICA STATUS",
            change: "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-1', SOURCE_PORT=3306, SOURCE_AUTO_POSITION=1"),
        Flavour(
            version: "8.4.2", stopIO: "STOP REPLICA IO_THREAD", stop: "STOP REPLICA", start: "START REPLICA",
            reset: "RESET REPLICA ALL", show: "SHOW REPLICA STATUS",
            change: "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-1', SOURCE_PORT=3306, SOURCE_AUTO_POSITION=1"),
    ]

    @Test(arguments: flavours) func statementsFollowTheFlavourAndVersion(_ flavour: Flavour) throws {
        let statements = ReplicationStatements(version: try #require(ServerVersion(parsing: flavour.version)))
        #expect(statements.stopIOThread == flavour.stopIO)
        #expect(statements.stopReplication == flavour.stop)
        #expect(statements.startReplication == flavour.start)
        #expect(statements.resetReplicationAll == flavour.reset)
        #expect(statements.showReplicationStatus == flavour.show)
        #expect(try statements.changeSource(to: InstanceKey(hostname: "db-1", port: 3306)) == flavour.change)
    }

    @Test(arguments: [
        ("db-1.example.com", "'db-1.example.com'"),
        ("", "''"),
        ("it's", "'it''s'"),
        ("a\\b", "'a\\\\b'"),
        ("x', MASTER_PASSWORD='p", "'x'', MASTER_PASSWORD=''p'"),
        ("\\'; DROP TABLE t; --", "'\\\\''; DROP TABLE t; --'"),
        ("hôte-ü", "'hôte-ü'"),
    ])
    func quotingEscapesQuotesAndBackslashes(_ value: String, _ expected: String) throws {
        #expect(try SQLLiteral.quote(value) == expected)
    }

    @Test func aNULByteIsRejected() {
        #expect(throws: RecoveryPlanError.self) { try SQLLiteral.quote("db\u{0}1") }
        let statements = ReplicationStatements(version: ServerVersion(parsing: "10.11.6-MariaDB")!)
        #expect(throws: RecoveryPlanError.self) {
            try statements.changeSource(to: InstanceKey(hostname: "db\u{0}", port: 3306))
        }
        #expect(throws: RecoveryPlanError.self) {
            try statements.changeSource(to: InstanceKey(hostname: "db", port: 0))
        }
    }

    @Test func aHostileHostNameStaysInsideItsLiteral() throws {
        let statements = ReplicationStatements(version: try #require(ServerVersion(parsing: "10.11.6-MariaDB")))
        let sql = try statements.changeSource(to: InstanceKey(hostname: "h', MASTER_USER='root", port: 3306))
        #expect(sql == "CHANGE MASTER TO MASTER_HOST='h'', MASTER_USER=''root', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos")
    }
}
