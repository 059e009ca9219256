import BatonMySQL
import BatonRaft
import NIOCore
import Synchronization

/// The server side of one MySQL connection to a simulated server: greeting, `mysql_native_password`
/// authentication, then COM_QUERY / COM_PING / COM_QUIT, with the server's faults applied to every answer.
///
/// Runs on its channel's event loop only. Inbound: packets from ``MySQLPacketDecoder``; outbound: raw bytes
/// (encoded here, so that a fault can replace them with garbage).
final class SimulatedServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = MySQLPacket
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case awaitingHandshakeResponse
        case awaitingAuthSwitchResponse(username: String)
        case command
        /// A command is being answered (a delayed answer or a wait); further packets are ignored.
        case busy
        case closed
    }

    static let serverCapabilities: MySQLCapabilities = [
        .longPassword, .foundRows, .longFlag, .connectWithDB, .noSchema, .odbc, .ignoreSpace, .protocol41,
        .interactive, .ignoreSigpipe, .transactions, .secureConnection, .multiStatements, .multiResults,
        .psMultiResults, .pluginAuth, .connectAttributes, .pluginAuthLengthEncodedClientData, .deprecateEOF,
    ]

    let fleet: SimulatedFleet
    let serverID: Int
    let connectionID: UInt32
    private var phase = Phase.awaitingHandshakeResponse
    private var nonce: [UInt8] = []
    private var capabilities = SimulatedServerHandler.serverCapabilities
    private var session = SimulatedSession()
    private var garbage: RaftRandom

    init(fleet: SimulatedFleet, serverID: Int, connectionID: UInt32) {
        self.fleet = fleet
        self.serverID = serverID
        self.connectionID = connectionID
        self.garbage = RaftRandom(seed: UInt64(connectionID) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(serverID))
    }

    func channelActive(context: ChannelHandlerContext) {
        let view = fleet.connectionView(serverID)
        var generator = SystemRandomNumberGenerator()
        // Printable, non-zero bytes, as real servers send.
        nonce = (0..<20).map { _ in UInt8.random(in: 33...126, using: &generator) }
        let greeting = MySQLHandshakeV10(
            serverVersion: view.profile.greetingVersion, connectionID: connectionID, authPluginData: nonce,
            capabilities: Self.serverCapabilities, characterSet: MySQLCharacterSet.utf8mb4GeneralCI,
            authPluginName: MySQLAuthPlugin.nativePassword)
        var payload = ByteBuffer()
        greeting.encode(into: &payload)
        send([MySQLPacket(sequenceID: 0, payload: payload)], context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Undecodable input (e.g. an oversized packet): a real server drops the connection.
        phase = .closed
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var packet = unwrapInboundIn(data)
        switch phase {
        case .awaitingHandshakeResponse:
            handshakeResponse(&packet, context: context)
        case .awaitingAuthSwitchResponse(let username):
            let answer = packet.payload.readBytes(length: packet.payload.readableBytes) ?? []
            authenticate(username: username, answer: answer, sequenceID: packet.sequenceID &+ 1, context: context)
        case .command:
            command(&packet, context: context)
        case .busy, .closed:
            break
        }
    }

    // MARK: Handshake

    private func handshakeResponse(_ packet: inout MySQLPacket, context: ChannelHandlerContext) {
        let sequenceID = packet.sequenceID &+ 1
        if packet.payload.readableBytes == MySQLSSLRequest.payloadLength {
            refuse(1045, "28000", "TLS is not supported by the simulator", sequenceID: sequenceID, context: context)
            return
        }
        let response: MySQLHandshakeResponse41
        do {
            response = try MySQLHandshakeResponse41.decode(from: &packet.payload)
        } catch {
            refuse(1043, "08S01", "Bad handshake", sequenceID: sequenceID, context: context)
            return
        }
        capabilities = Self.serverCapabilities.intersection(response.capabilities)
        if let plugin = response.authPluginName, plugin != MySQLAuthPlugin.nativePassword {
            phase = .awaitingAuthSwitchResponse(username: response.username)
            var payload = ByteBuffer()
            MySQLAuthSwitchRequest(pluginName: MySQLAuthPlugin.nativePassword, pluginData: nonce).encode(into: &payload)
            send([MySQLPacket(sequenceID: sequenceID, payload: payload)], context: context)
            return
        }
        authenticate(username: response.username, answer: response.authResponse, sequenceID: sequenceID, context: context)
    }

    private func authenticate(username: String, answer: [UInt8], sequenceID: UInt8, context: ChannelHandlerContext) {
        let configuration = fleet.configuration
        let expected = MySQLAuthPlugin.nativePasswordScramble(password: configuration.password, nonce: nonce)
        guard username == configuration.user, answer == expected else {
            let host = (context.remoteAddress?.ipAddress) ?? "localhost"
            let message =
                "Access denied for user '\(username)'@'\(host)' (using password: \(answer.isEmpty ? "NO" : "YES"))"
            refuse(1045, "28000", message, sequenceID: sequenceID, context: context)
            return
        }
        phase = .command
        send([okPacket(sequenceID: sequenceID, affectedRows: 0, warnings: 0)], context: context)
    }

    private func refuse(_ number: UInt16, _ state: String, _ message: String, sequenceID: UInt8, context: ChannelHandlerContext) {
        phase = .closed
        var payload = ByteBuffer()
        MySQLERRPacket(errorNumber: number, sqlState: state, message: message).encode(into: &payload)
        send([MySQLPacket(sequenceID: sequenceID, payload: payload)], close: true, context: context)
    }

    // MARK: Commands

    private func command(_ packet: inout MySQLPacket, context: ChannelHandlerContext) {
        let sequenceID = packet.sequenceID &+ 1
        switch MySQLCommand.decode(from: &packet.payload) {
        case .quit:
            phase = .closed
            context.close(promise: nil)
        case .ping:
            send([okPacket(sequenceID: sequenceID, affectedRows: 0, warnings: 0)], context: context)
        case .query(let sql):
            if fleet.connectionView(serverID).silent { return }
            let answer = fleet.execute(sql, on: serverID, session: &session)
            respond(answer, sequenceID: sequenceID, context: context)
        case nil:
            var payload = ByteBuffer()
            MySQLERRPacket(errorNumber: 1047, sqlState: "08S01", message: "Unknown command").encode(into: &payload)
            send([MySQLPacket(sequenceID: sequenceID, payload: payload)], context: context)
        }
    }

    private func respond(_ answer: SimulatedAnswer, sequenceID: UInt8, context: ChannelHandlerContext) {
        switch answer {
        case .ok(let affectedRows, let warnings):
            send([okPacket(sequenceID: sequenceID, affectedRows: affectedRows, warnings: UInt16(warnings.count))], context: context)
        case .error(let error):
            var payload = ByteBuffer()
            MySQLERRPacket(errorNumber: error.number, sqlState: error.sqlState, message: error.message).encode(into: &payload)
            send([MySQLPacket(sequenceID: sequenceID, payload: payload)], context: context)
        case .resultSet(let columns, let rows):
            let partial = fleet.connectionView(serverID).faults.partialAnswers
            send(
                resultSet(columns: columns, rows: partial ? Array(rows.prefix(1)) : rows, sequenceID: sequenceID, partial: partial),
                close: partial, context: context)
        case .wait(let wait):
            phase = .busy
            poll(wait, sequenceID: sequenceID, context: context)
        }
    }

    /// Asks the fleet again every 20 ms until the wait is decided.
    private func poll(_ wait: SimulatedWait, sequenceID: UInt8, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(20)) {
            let (handler, context) = loopBound.value
            guard case .busy = handler.phase else { return }
            if let answer = handler.fleet.evaluate(wait, on: handler.serverID) {
                handler.phase = .command
                handler.respond(answer, sequenceID: sequenceID, context: context)
            } else {
                handler.poll(wait, sequenceID: sequenceID, context: context)
            }
        }
    }

    // MARK: Encoding and sending

    private func okPacket(sequenceID: UInt8, affectedRows: UInt64, warnings: UInt16) -> MySQLPacket {
        var payload = ByteBuffer()
        MySQLOKPacket(affectedRows: affectedRows, statusFlags: .autocommit, warningCount: warnings)
            .encode(into: &payload, capabilities: capabilities)
        return MySQLPacket(sequenceID: sequenceID, payload: payload)
    }

    /// Column count, definitions, rows and the terminator (EOF or OK-with-0xFE as negotiated); a partial answer
    /// stops before the terminator.
    private func resultSet(columns: [String], rows: [[String?]], sequenceID: UInt8, partial: Bool) -> [MySQLPacket] {
        var packets: [MySQLPacket] = []
        var sequence = sequenceID
        func add(_ write: (inout ByteBuffer) -> Void) {
            var payload = ByteBuffer()
            write(&payload)
            packets.append(MySQLPacket(sequenceID: sequence, payload: payload))
            sequence &+= 1
        }
        let capabilities = self.capabilities
        add { MySQLColumnCount.encode(columns.count, into: &$0) }
        for name in columns {
            let definition = Self.columnDefinition(name)
            add { $0.writeImmutableBuffer(definition) }
        }
        if !capabilities.contains(.deprecateEOF) {
            add { MySQLEOFPacket().encode(into: &$0, capabilities: capabilities) }
        }
        for row in rows {
            add { MySQLTextRow(values: row).encode(into: &$0) }
        }
        if partial { return packets }
        if capabilities.contains(.deprecateEOF) {
            add { MySQLOKPacket(header: MySQLPacketHeader.eof).encode(into: &$0, capabilities: capabilities) }
        } else {
            add { MySQLEOFPacket().encode(into: &$0, capabilities: capabilities) }
        }
        return packets
    }

    /// Encoded column definitions by name: status statements send dozens of columns with every answer.
    private static let definitions = Mutex<[String: ByteBuffer]>([:])

    static func columnDefinition(_ name: String) -> ByteBuffer {
        if let cached = definitions.withLock({ $0[name] }) { return cached }
        var payload = ByteBuffer()
        MySQLColumnDefinition(name: name).encode(into: &payload)
        definitions.withLock { $0[name] = payload }
        return payload
    }

    /// Sends `packets` as the server's faults say: not at all (hang, cut off), late (delay), as garbage.
    private func send(_ packets: [MySQLPacket], close: Bool = false, context: ChannelHandlerContext) {
        let view = fleet.connectionView(serverID)
        if view.silent { return }
        var bytes = context.channel.allocator.buffer(capacity: 256)
        if view.faults.garbage {
            // Half the time a well-framed packet with a random payload (a decoding error at once), half the
            // time raw bytes (often a header announcing more than ever comes: the client's deadline fires).
            let payload = garbage.bytes(48)
            if garbage.next() & 1 == 0 {
                MySQLPacketEncoder.write(
                    MySQLPacket(sequenceID: packets.first?.sequenceID ?? 0, payload: ByteBuffer(bytes: payload)), into: &bytes)
            } else {
                bytes.writeBytes(payload)
            }
        } else {
            for packet in packets { MySQLPacketEncoder.write(packet, into: &bytes) }
        }
        let delay = view.faults.delayMilliseconds
        guard delay > 0 else {
            write(bytes, close: close, context: context)
            return
        }
        let previous = phase
        if case .command = previous { phase = .busy }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(delay))) {
            let (handler, context) = loopBound.value
            if case .closed = handler.phase { return }
            if case .busy = handler.phase { handler.phase = previous }
            handler.write(bytes, close: close, context: context)
        }
    }

    private func write(_ bytes: ByteBuffer, close: Bool, context: ChannelHandlerContext) {
        if close {
            phase = .closed
            context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        }
    }
}

