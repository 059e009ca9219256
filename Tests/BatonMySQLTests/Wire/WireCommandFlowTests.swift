import NIOCore
import NIOEmbedded
import Testing

@testable import BatonMySQL

@Suite("Wire command flows on EmbeddedChannel")
struct WireCommandFlowTests {
    @Test func classicEOFResultSet() throws {
        let capabilities = WireServerScript.defaultCapabilities.subtracting(.deprecateEOF)
        let harness = try WireHarness.connected(capabilities: capabilities)
        let query = harness.send(.query("SHOW SLAVE STATUS"))
        var script = WireServerScript(capabilities: capabilities)
        script.command()
        script.resultSet(columns: ["Slave_IO_Running", "Seconds_Behind_Master"], rows: [["Yes", "0"], ["No", nil]])
        harness.feed(script)
        let result = try #require(try query.completedResult?.get())
        #expect(result.rows.map(\.values) == [["Yes", "0"], ["No", nil]])
    }

    @Test func emptyResultSet() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SHOW SLAVE STATUS"))
        var script = WireServerScript()
        script.command()
        script.resultSet(columns: ["Slave_IO_State"], rows: [])
        harness.feed(script)
        let result = try #require(try query.completedResult?.get())
        #expect(result.hasResultSet)
        #expect(result.rows.isEmpty)
    }

    @Test func okForStatementWithoutResultSet() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("DELETE FROM t"))
        var script = WireServerScript()
        script.command()
        script.ok(affectedRows: 7, info: "done")
        harness.feed(script)
        let result = try #require(try query.completedResult?.get())
        #expect(result.affectedRows == 7)
        #expect(result.info == "done")
        #expect(!result.hasResultSet)
    }

    @Test func serverErrorKeepsConnectionUsable() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT * FROM missing"))
        var script = WireServerScript()
        script.command()
        script.err(1146, "42S02", "Table 'test.missing' doesn't exist")
        harness.feed(script)
        let error = try #require(mysqlError(query.completedResult))
        #expect(error.code == .serverError)
        #expect(error.serverErrorNumber == 1146)
        #expect(error.sqlState == "42S02")
        #expect(harness.channel.isActive)

        #expect(harness.stillAnswers())
    }

    @Test func errorInTheMiddleOfRows() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT SLEEP(100)"))
        var script = WireServerScript()
        script.command()
        script.packet({ MySQLColumnCount.encode(1, into: &$0) }, clientAnswers: false)
        script.packet({ MySQLColumnDefinition(name: "x").encode(into: &$0) }, clientAnswers: false)
        script.packet({ MySQLTextRow(values: ["1"]).encode(into: &$0) }, clientAnswers: false)
        script.err(1317, "70100", "Query execution was interrupted")
        harness.feed(script)
        #expect(mysqlError(query.completedResult)?.serverErrorNumber == 1317)
        #expect(harness.channel.isActive)
    }

    @Test func secondConcurrentCommandIsRejected() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT 1"))
        let ping = harness.send(.ping)
        #expect(mysqlError(ping.completedResult)?.code == .commandsOutOfSequence)
        var script = WireServerScript()
        script.command()
        script.resultSet(columns: ["1"], rows: [["1"]])
        harness.feed(script)
        #expect(try query.completedResult?.get().rows.first?[0] == "1")
    }

    @Test func multipleResultSetsAreConsumedAndTheFirstReturned() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("CALL p()"))
        var script = WireServerScript()
        script.command()
        script.resultSet(columns: ["a"], rows: [["1"]], status: [.autocommit, .moreResultsExist])
        script.resultSet(columns: ["b"], rows: [["2"], ["3"]], status: [.autocommit, .moreResultsExist])
        script.ok()
        harness.feed(script)
        let result = try #require(try query.completedResult?.get())
        #expect(result.columnNames == ["a"])
        #expect(result.rows.map(\.values) == [["1"]])
        #expect(harness.stillAnswers())
    }

    @Test func outOfOrderPacketIsAProtocolViolation() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT 1"))
        var script = WireServerScript()
        script.sequenceID = 5
        script.ok()
        harness.feed(script)
        #expect(mysqlError(query.completedResult)?.code == .protocolViolation)
        #expect(!harness.channel.isActive)
    }

    @Test func queryTimeoutClosesTheConnection() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT SLEEP(10)"), timeout: .milliseconds(200))
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(100))
        #expect(query.completedResult == nil)
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(150))
        #expect(mysqlError(query.completedResult)?.code == .queryTimeout)
        #expect(!harness.channel.isActive)
        #expect(harness.closeReasons.first??.code == .queryTimeout)
    }

    @Test func timerOfAFinishedCommandDoesNothing() throws {
        let harness = try WireHarness.connected()
        let ping = harness.send(.ping, timeout: .milliseconds(200))
        var script = WireServerScript()
        script.command()
        script.ok()
        harness.feed(script)
        #expect(ping.succeeded)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(harness.channel.isActive)
    }

    @Test func unsolicitedErrorClosesAndReportsTheReason() throws {
        let harness = try WireHarness.connected()
        var script = WireServerScript()
        script.err(4031, "HY000", "The client was disconnected by the server because of inactivity.")
        harness.feed(script)
        #expect(!harness.channel.isActive)
        let reason = try #require(harness.closeReasons.first ?? nil)
        #expect(reason.code == .serverError)
        #expect(reason.serverErrorNumber == 4031)
    }

    @Test func serverClosingBetweenQueriesIsReported() throws {
        let harness = try WireHarness.connected()
        harness.serverCloses()
        #expect(harness.closeReasons.count == 1)
        #expect(harness.closeReasons.first??.code == .connectionClosed)
        let query = harness.send(.query("SELECT 1"))
        #expect(mysqlError(query.completedResult)?.code == .connectionClosed)
    }

    @Test func serverClosingDuringQueryFailsIt() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT 1"))
        harness.serverCloses()
        #expect(mysqlError(query.completedResult)?.code == .connectionClosed)
    }

    @Test func clientCloseSendsQuitAndReportsNoError() throws {
        let harness = try WireHarness.connected()
        try harness.channel.close().wait()
        let sent = try harness.clientPackets()
        #expect(sent.count == 1)
        var payload = try #require(sent.first).payload
        #expect(MySQLCommand.decode(from: &payload) == .quit)
        try #require(harness.closeReasons.count == 1)
        #expect(harness.closeReasons[0] == nil)
    }

    @Test func cancellationFailsTheCommandAndCloses() throws {
        let harness = try WireHarness.connected()
        let query = harness.send(.query("SELECT SLEEP(10)"))
        harness.channel.pipeline.triggerUserOutboundEvent(MySQLCancelEvent(), promise: nil)
        #expect(mysqlError(query.completedResult)?.code == .cancelled)
        #expect(!harness.channel.isActive)
    }
}
