import NIOCore
import NIOEmbedded
import Testing

@testable import BatonMySQL

@Suite("Wire handshake flows on EmbeddedChannel")
struct WireHandshakeFlowTests {
    @Test func nativePasswordLoginAndQuery() throws {
        let harness = try WireHarness(database: "mysql")
        var script = WireServerScript()
        script.greeting()
        harness.feed(script)
        let packets = try harness.clientPackets()
        #expect(packets.map(\.sequenceID) == [1])
        let response = try WireHarness.handshakeResponse(packets)
        #expect(response.username == "baton")
        #expect(response.database == "mysql")
        #expect(response.authPluginName == MySQLAuthPlugin.nativePassword)
        #expect(response.authResponse == MySQLAuthPlugin.nativePasswordScramble(password: "secret", nonce: WireServerScript.nonce))
        #expect(response.capabilities.contains(.deprecateEOF))
        #expect(!response.capabilities.contains(.ssl))
        #expect(!response.capabilities.contains(.multiStatements))

        script = WireServerScript()
        script.sequenceID = 2
        script.ok()
        harness.feed(script)
        let session = try #require(try harness.handshake.futureResult.completedResult?.get())
        #expect(session.serverVersion == "8.0.36")
        #expect(session.connectionID == 42)
        #expect(!session.isTLS)

        let query = harness.send(.query("SELECT @@version, NULL, 1"))
        script = WireServerScript()
        let sent = try harness.clientPackets()
        #expect(sent.count == 1)
        #expect(sent.first?.sequenceID == 0)
        var commandPayload = try #require(sent.first).payload
        #expect(MySQLCommand.decode(from: &commandPayload) == .query("SELECT @@version, NULL, 1"))

        script.command()
        script.resultSet(columns: ["@@version", "NULL", "1"], rows: [["8.0.36", nil, "1"]])
        harness.feed(script)
        let result = try #require(try query.completedResult?.get())
        #expect(result.columnNames == ["@@version", "NULL", "1"])
        #expect(result.rows.count == 1)
        #expect(result.rows.first?.values == ["8.0.36", nil, "1"])
        #expect(result.rows.first?["@@VERSION"] == "8.0.36")
        #expect(result.hasResultSet)
    }

    @Test func cachingSHA2FastAuthentication() throws {
        let harness = try WireHarness()
        var script = WireServerScript()
        script.greeting(plugin: MySQLAuthPlugin.cachingSHA2Password)
        harness.feed(script)
        let response = try WireHarness.handshakeResponse(try harness.clientPackets())
        #expect(response.authPluginName == MySQLAuthPlugin.cachingSHA2Password)
        #expect(response.authResponse == MySQLAuthPlugin.cachingSHA2Scramble(password: "secret", nonce: WireServerScript.nonce))
        script = WireServerScript()
        script.sequenceID = 2
        script.authMoreData(MySQLAuthMoreData.fastAuthSuccess)
        script.ok()
        harness.feed(script)
        #expect(try harness.handshake.futureResult.completedResult?.get().connectionID == 42)
        #expect(try harness.clientPackets().isEmpty)
    }

    @Test func cachingSHA2FullAuthenticationNeedsTLS() throws {
        let harness = try WireHarness()
        var script = WireServerScript()
        script.greeting(plugin: MySQLAuthPlugin.cachingSHA2Password)
        script.authMoreData(MySQLAuthMoreData.performFullAuthentication)
        harness.feed(script)
        let error = try #require(mysqlError(harness.handshake.futureResult.completedResult))
        #expect(error.code == .authenticationFailed)
        #expect(error.message.contains("TLS"))
        #expect(!harness.channel.isActive)
        // The password never went out in clear text.
        let sent = try harness.clientPackets()
        #expect(sent.count == 1)
    }

    @Test func authSwitchToNativePassword() throws {
        let harness = try WireHarness()
        var script = WireServerScript()
        script.greeting(plugin: MySQLAuthPlugin.cachingSHA2Password)
        script.authSwitch(to: MySQLAuthPlugin.nativePassword, nonce: Array(21...40))
        harness.feed(script)
        let packets = try harness.clientPackets()
        #expect(packets.map(\.sequenceID) == [1, 3])
        #expect(Array(buffer: packets[1].payload) == MySQLAuthPlugin.nativePasswordScramble(password: "secret", nonce: Array(21...40)))
        script = WireServerScript()
        script.sequenceID = 4
        script.ok()
        harness.feed(script)
        #expect(harness.handshake.futureResult.succeeded)
    }

    @Test func authSwitchToCachingSHA2ThenFastAuth() throws {
        let harness = try WireHarness()
        var script = WireServerScript()
        script.greeting(plugin: MySQLAuthPlugin.nativePassword)
        script.authSwitch(to: MySQLAuthPlugin.cachingSHA2Password, nonce: Array(21...40))
        script.authMoreData(MySQLAuthMoreData.fastAuthSuccess)
        script.ok()
        harness.feed(script)
        let packets = try harness.clientPackets()
        #expect(Array(buffer: packets[1].payload) == MySQLAuthPlugin.cachingSHA2Scramble(password: "secret", nonce: Array(21...40)))
        #expect(harness.handshake.futureResult.succeeded)
    }

    @Test func authSwitchToUnsupportedPluginFails() throws {
        let harness = try WireHarness()
        var script = WireServerScript()
        script.greeting()
        script.authSwitch(to: "client_ed25519")
        harness.feed(script)
        let error = try #require(mysqlError(harness.handshake.futureResult.completedResult))
        #expect(error.code == .unsupportedAuthPlugin)
        #expect(error.message.contains("client_ed25519"))
    }

    @Test func emptyPasswordSendsEmptyAuthResponse() throws {
        let harness = try WireHarness(password: "")
        var script = WireServerScript()
        script.greeting()
        harness.feed(script)
        #expect(try WireHarness.handshakeResponse(try harness.clientPackets()).authResponse.isEmpty)
    }

    @Test func wrongPasswordIsAuthenticationFailed() throws {
        let harness = try WireHarness()
        var script = WireServerScript()
        script.greeting()
        script.err(1045, "28000", "Access denied for user 'baton'@'localhost' (using password: YES)")
        harness.feed(script)
        let error = try #require(mysqlError(harness.handshake.futureResult.completedResult))
        #expect(error.code == .authenticationFailed)
        #expect(error.serverErrorNumber == 1045)
        #expect(error.sqlState == "28000")
        #expect(!harness.channel.isActive)
        #expect(harness.closeReasons.first??.code == .authenticationFailed)
    }

    @Test func errorInsteadOfGreeting() throws {
        let harness = try WireHarness()
        var payload = ByteBuffer(bytes: [0xFF, 0x10, 0x04])
        payload.writeString("Too many connections")
        var bytes = ByteBuffer()
        MySQLPacketEncoder.write(MySQLPacket(sequenceID: 0, payload: payload), into: &bytes)
        harness.feed(bytes)
        let error = try #require(mysqlError(harness.handshake.futureResult.completedResult))
        #expect(error.code == .serverError)
        #expect(error.serverErrorNumber == 1040)
    }

    @Test func tlsRequiredButNotOffered() throws {
        let harness = try WireHarness(tls: MySQLTLSConfiguration(mode: .required, verification: .none))
        var script = WireServerScript(capabilities: WireServerScript.defaultCapabilities.subtracting(.ssl))
        script.greeting()
        harness.feed(script)
        #expect(mysqlError(harness.handshake.futureResult.completedResult)?.code == .tlsUnavailable)
        #expect(try harness.clientPackets().isEmpty)
    }

    @Test func tlsPreferredButNotOfferedUsesPlainTCP() throws {
        let harness = try WireHarness(tls: MySQLTLSConfiguration(mode: .preferred, verification: .none))
        var script = WireServerScript(capabilities: WireServerScript.defaultCapabilities.subtracting(.ssl))
        script.greeting()
        script.ok()
        harness.feed(script)
        #expect(try harness.handshake.futureResult.completedResult?.get().isTLS == false)
    }

    @Test func tlsOfferedSendsSSLRequestAndStartsTLS() throws {
        let harness = try WireHarness(tls: MySQLTLSConfiguration(mode: .preferred, verification: .none))
        var script = WireServerScript()
        script.greeting()
        harness.feed(script)
        let first = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        var decoder = MySQLPacketDecoder()
        var bytes = first
        let request = try #require(try decoder.decode(buffer: &bytes))
        #expect(request.sequenceID == 1)
        #expect(request.payload.readableBytes == MySQLSSLRequest.payloadLength)
        var payload = request.payload
        #expect(try MySQLSSLRequest.decode(from: &payload).capabilities.contains(.ssl))
        #expect(throws: Never.self) { try harness.channel.pipeline.syncOperations.context(name: MySQLChannelHandler.tlsHandlerName) }
        // What follows is the TLS ClientHello (record type 0x16), not a clear-text handshake response.
        let hello = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(hello.getInteger(at: hello.readerIndex, as: UInt8.self) == 0x16)
    }

    @Test func oversizedPacketFailsTheHandshake() throws {
        let harness = try WireHarness(maxPacketSize: 16)
        var script = WireServerScript()
        script.greeting()
        harness.feed(script)
        #expect(mysqlError(harness.handshake.futureResult.completedResult)?.code == .packetTooLarge)
        #expect(!harness.channel.isActive)
    }

    @Test func connectTimeoutWhenTheServerStaysSilent() throws {
        let harness = try WireHarness(connectTimeout: .milliseconds(200))
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(250))
        #expect(mysqlError(harness.handshake.futureResult.completedResult)?.code == .connectTimeout)
        #expect(!harness.channel.isActive)
    }
}
