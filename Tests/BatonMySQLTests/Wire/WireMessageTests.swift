import NIOCore
import Testing

@testable import BatonMySQL

@Suite("Wire messages")
struct WireMessageTests {
    static let lengthEncodedVectors: [(UInt64, [UInt8])] = [
        (UInt64(0), [UInt8(0)]),
        (250, [250]),
        (251, [0xFC, 0xFB, 0x00]),
        (0xFFFF, [0xFC, 0xFF, 0xFF]),
        (0x1_0000, [0xFD, 0x00, 0x00, 0x01]),
        (0xFF_FFFF, [0xFD, 0xFF, 0xFF, 0xFF]),
        (0x100_0000, [0xFE, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
        (UInt64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
    ]

    @Test(arguments: Self.lengthEncodedVectors)
    func lengthEncodedIntegers(value: UInt64, bytes: [UInt8]) {
        var buffer = ByteBuffer()
        buffer.writeMySQLLengthEncodedInteger(value)
        #expect(Array(buffer: buffer) == bytes)
        #expect(buffer.readMySQLLengthEncodedInteger() == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test func lengthEncodedIntegerRejectsTruncationAndMarkers() {
        for bytes: [UInt8] in [[], [0xFC, 0x01], [0xFD, 0, 0], [0xFE, 1, 2, 3], [0xFB], [0xFF]] {
            var buffer = ByteBuffer(bytes: bytes)
            #expect(buffer.readMySQLLengthEncodedInteger() == nil)
            #expect(buffer.readerIndex == 0, "reader index restored for \(bytes)")
        }
    }

    @Test func lengthEncodedStrings() {
        var buffer = ByteBuffer()
        buffer.writeMySQLLengthEncodedString("héllo")
        buffer.writeMySQLLengthEncodedString(String(repeating: "x", count: 300))
        #expect(buffer.readMySQLLengthEncodedString() == "héllo")
        #expect(buffer.readMySQLLengthEncodedString()?.count == 300)
        var truncated = ByteBuffer(bytes: [5, 0x61, 0x62])
        #expect(truncated.readMySQLLengthEncodedString() == nil)
        #expect(truncated.readerIndex == 0)
    }

    @Test func handshakeV10RoundTrip() throws {
        let greeting = MySQLHandshakeV10(
            serverVersion: "5.5.5-10.11.6-MariaDB-0+deb12u1",
            connectionID: 0xDEAD_BEEF,
            authPluginData: Array(1...20),
            capabilities: WireServerScript.defaultCapabilities,
            statusFlags: .autocommit,
            authPluginName: MySQLAuthPlugin.cachingSHA2Password,
            mariaDBExtendedCapabilities: 0x1D
        )
        var buffer = ByteBuffer()
        greeting.encode(into: &buffer)
        let decoded = try MySQLHandshakeV10.decode(from: &buffer)
        #expect(decoded == greeting)
        #expect(decoded.displayVersion == "10.11.6-MariaDB-0+deb12u1")
    }

    @Test func handshakeV10RejectsOtherProtocolVersions() {
        var buffer = ByteBuffer(bytes: [9, 0x35, 0x00])
        #expect(throws: MySQLError.self) { try MySQLHandshakeV10.decode(from: &buffer) }
    }

    @Test func handshakeResponse41RoundTrip() throws {
        let response = MySQLHandshakeResponse41(
            capabilities: MySQLConnectionStateMachine.clientCapabilities.union([.connectWithDB, .connectAttributes]),
            maxPacketSize: 16 * 1024 * 1024,
            username: "baton",
            authResponse: Array(0..<20),
            database: "mysql",
            authPluginName: MySQLAuthPlugin.nativePassword,
            attributes: [("_client_name", "baton")]
        )
        var buffer = ByteBuffer()
        response.encode(into: &buffer)
        #expect(try MySQLHandshakeResponse41.decode(from: &buffer) == response)
    }

    @Test func sslRequestIs32Bytes() throws {
        let request = MySQLSSLRequest(capabilities: [.protocol41, .ssl], maxPacketSize: 1 << 24)
        var buffer = ByteBuffer()
        request.encode(into: &buffer)
        #expect(buffer.readableBytes == MySQLSSLRequest.payloadLength)
        #expect(try MySQLSSLRequest.decode(from: &buffer) == request)
    }

    @Test func okPacketWithAndWithoutSessionTrack() throws {
        let ok = MySQLOKPacket(affectedRows: 3, lastInsertID: 300, statusFlags: [.autocommit, .inTransaction], warningCount: 2, info: "Rows matched: 3")
        for capabilities: MySQLCapabilities in [[.protocol41], [.protocol41, .sessionTrack]] {
            var buffer = ByteBuffer()
            ok.encode(into: &buffer, capabilities: capabilities)
            #expect(try MySQLOKPacket.decode(from: &buffer, capabilities: capabilities) == ok)
        }
    }

    @Test func errPacketWithAndWithoutSQLState() throws {
        let err = MySQLERRPacket(errorNumber: 1045, sqlState: "28000", message: "Access denied for user 'x'@'localhost'")
        var buffer = ByteBuffer()
        err.encode(into: &buffer)
        #expect(try MySQLERRPacket.decode(from: &buffer) == err)
        // Pre-handshake errors (e.g. too many connections) may come without the '#' marker.
        var bare = ByteBuffer(bytes: [0xFF, 0x10, 0x04])
        bare.writeString("Too many connections")
        let decoded = try MySQLERRPacket.decode(from: &bare)
        #expect(decoded.errorNumber == 1040)
        #expect(decoded.sqlState == nil)
        #expect(decoded.message == "Too many connections")
    }

    @Test func eofPacketDetection() throws {
        var buffer = ByteBuffer()
        MySQLEOFPacket(warningCount: 1, statusFlags: .moreResultsExist).encode(into: &buffer, capabilities: [.protocol41])
        #expect(MySQLEOFPacket.isEOF(buffer))
        #expect(try MySQLEOFPacket.decode(from: &buffer, capabilities: [.protocol41]) == MySQLEOFPacket(warningCount: 1, statusFlags: .moreResultsExist))
        #expect(!MySQLEOFPacket.isEOF(ByteBuffer(bytes: [0xFE, 1, 2, 3, 4, 5, 6, 7, 8])))
    }

    @Test func columnDefinitionRoundTrip() throws {
        let column = MySQLColumnDefinition(schema: "mysql", table: "user", originalTable: "user", name: "User", columnLength: 384, type: 0xFE, flags: 0x4003)
        var buffer = ByteBuffer()
        column.encode(into: &buffer)
        #expect(try MySQLColumnDefinition.decode(from: &buffer) == column)
    }

    @Test func textRowWithNulls() throws {
        let row = MySQLTextRow(values: ["1", nil, "", String(repeating: "z", count: 70_000)])
        var buffer = ByteBuffer()
        row.encode(into: &buffer)
        #expect(try MySQLTextRow.decode(from: &buffer, columnCount: 4) == row)
        var short = ByteBuffer(bytes: [0x01, 0x31])
        #expect(throws: MySQLError.self) { try MySQLTextRow.decode(from: &short, columnCount: 2) }
        var long = ByteBuffer(bytes: [0x01, 0x31, 0x01, 0x32])
        #expect(throws: MySQLError.self) { try MySQLTextRow.decode(from: &long, columnCount: 1) }
    }

    @Test func authSwitchRequestRoundTrip() throws {
        let request = MySQLAuthSwitchRequest(pluginName: MySQLAuthPlugin.nativePassword, pluginData: Array(21...40))
        var buffer = ByteBuffer()
        request.encode(into: &buffer)
        #expect(try MySQLAuthSwitchRequest.decode(from: &buffer) == request)
        var old = ByteBuffer(bytes: [0xFE])
        #expect { try MySQLAuthSwitchRequest.decode(from: &old) } throws: { ($0 as? MySQLError)?.code == .unsupportedAuthPlugin }
    }

    @Test func commandsRoundTrip() {
        for command: MySQLCommand in [.quit, .ping, .query("SELECT 1")] {
            var buffer = ByteBuffer()
            command.encode(into: &buffer)
            #expect(MySQLCommand.decode(from: &buffer) == command)
        }
    }

    @Test func columnCountBounds() {
        var zero = ByteBuffer(bytes: [0])
        #expect(throws: MySQLError.self) { try MySQLColumnCount.decode(from: &zero) }
        var huge = ByteBuffer()
        huge.writeMySQLLengthEncodedInteger(1 << 40)
        #expect(throws: MySQLError.self) { try MySQLColumnCount.decode(from: &huge) }
        var three = ByteBuffer(bytes: [3])
        #expect((try? MySQLColumnCount.decode(from: &three)) == 3)
    }

    @Test func rowAccessByNameIsCaseInsensitive() {
        let columns = MySQLColumns([MySQLColumnDefinition(name: "Slave_IO_Running"), MySQLColumnDefinition(name: "Seconds_Behind_Master")])
        let row = MySQLRow(columns: columns, values: ["Yes", nil])
        #expect(row["slave_io_running"] == "Yes")
        #expect(row["SECONDS_BEHIND_MASTER"] == nil)
        #expect(row.isNull("seconds_behind_master"))
        #expect(!row.isNull("missing"))
        #expect(!row.hasColumn("missing"))
        #expect(row[0] == "Yes")
        #expect(row[7] == nil)
    }

    @Test func configurationDescriptionRedactsPassword() {
        let configuration = MySQLConnectionConfiguration(host: "db1", user: "baton", password: "hunter2")
        #expect(!configuration.description.contains("hunter2"))
        #expect(!String(reflecting: configuration).contains("hunter2"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    @Test func errorDescriptionNamesCodeAndServerError() {
        let error = MySQLError(code: .serverError, message: "Access denied", serverErrorNumber: 1045, sqlState: "28000")
        #expect(error.description == "MySQLError(serverError, errno 1045, sqlstate 28000): Access denied")
    }
}
