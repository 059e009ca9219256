import Testing

@testable import BatonTestSupport

/// Recognising the statements Baton sends, in the spellings of every version.
@Suite struct SimulatedStatementTests {
    @Test(arguments: [
        ("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('read_only', 'Server_ID')", SimulatedStatement.showVariables(.names(["read_only", "server_id"]))),
        ("show variables like 'gtid%'", .showVariables(.like("gtid%"))),
        ("SHOW   SLAVE\nSTATUS;", .showReplicationStatus(.slave)),
        ("SHOW REPLICA STATUS", .showReplicationStatus(.replica)),
        ("STOP SLAVE IO_THREAD", .stopReplication(.io, .slave)),
        ("STOP REPLICA", .stopReplication(.both, .replica)),
        ("START SLAVE SQL_THREAD", .startReplication(.sql, .slave)),
        ("RESET REPLICA ALL", .resetReplication(all: true, .replica)),
        ("CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos",
         .changeSource([.init(name: "HOST", value: "db-1"), .init(name: "PORT", value: "3306"), .init(name: "USE_GTID", value: "slave_pos")], .slave)),
        ("CHANGE REPLICATION SOURCE TO SOURCE_HOST='o''brien', SOURCE_PORT=3307, SOURCE_AUTO_POSITION=1",
         .changeSource([.init(name: "HOST", value: "o'brien"), .init(name: "PORT", value: "3307"), .init(name: "AUTO_POSITION", value: "1")], .replica)),
        ("SET GLOBAL read_only = 1", .setGlobal([.init(name: "read_only", value: "1")])),
        ("SET @@GLOBAL.gtid_slave_pos = '0-1-5'", .setGlobal([.init(name: "gtid_slave_pos", value: "0-1-5")])),
        ("SET read_only = 0", .setWithoutGlobal("read_only")),
        ("SET NAMES utf8mb4", .ignored),
        ("SELECT MASTER_GTID_WAIT('0-1-5', 2.5)", .gtidWait(function: "MASTER_GTID_WAIT", label: "MASTER_GTID_WAIT('0-1-5', 2.5)", gtids: "0-1-5", timeout: 2.5)),
        ("SELECT @@global.read_only AS ro, 1", .selectValues([.init(label: "ro", variable: "read_only"), .init(label: "1", literal: "1")])),
        ("INSERT INTO t VALUES (1)", .write),
        ("KILL 42", .unsupported(near: "KILL 42")),
    ])
    func recognises(sql: String, statement: SimulatedStatement) {
        #expect(SimulatedStatement.parse(sql) == statement)
    }

    @Test func gtidSetsOfBothFlavoursRoundTrip() throws {
        let mariaDB = try #require(SimulatedGTIDSet(parsing: "0-1-5,1-2-7", mariaDB: true))
        #expect(mariaDB.text(mariaDB: true) == "0-1-5,1-2-7")
        let mySQL = try #require(SimulatedGTIDSet(parsing: "3e11fa47-71ca-11e1-9e33-000000000001:1-9,\nabc:1-3:5-7", mariaDB: false))
        #expect(mySQL.text(mariaDB: false) == "3e11fa47-71ca-11e1-9e33-000000000001:1-9,\nabc:1-7")
        #expect(mySQL.contains(try #require(SimulatedGTIDSet(parsing: "abc:1-6", mariaDB: false))))
        #expect(SimulatedGTIDSet(parsing: "0-1", mariaDB: true) == nil)
    }
}
