import NIOCore

extension MySQLConnectionStateMachine {
    /// The capabilities this client asks for; the handshake keeps those the server also has.
    static let clientCapabilities: MySQLCapabilities = [
        .longPassword, .longFlag, .protocol41, .secureConnection, .transactions, .multiResults,
        .pluginAuth, .pluginAuthLengthEncodedClientData, .deprecateEOF,
    ]

    /// Server error numbers that mean "these credentials may not log in" rather than a server problem.
    static let authenticationErrorNumbers: Set<UInt16> = [
        1044,  // ER_DBACCESS_DENIED_ERROR
        1045,  // ER_ACCESS_DENIED_ERROR
        1251,  // ER_NOT_SUPPORTED_AUTH_MODE
        1524,  // ER_PLUGIN_IS_NOT_LOADED
        1698,  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
        1820,  // ER_MUST_CHANGE_PASSWORD
        1862,  // ER_MUST_CHANGE_PASSWORD_LOGIN
        3118,  // ER_ACCOUNT_HAS_BEEN_LOCKED (MySQL)
        4151,  // ER_ACCOUNT_HAS_BEEN_LOCKED (MariaDB)
    ]

    /// Handshake progress between the greeting and the final OK.
    struct HandshakeContext {
        var greeting: MySQLHandshakeV10
        /// The negotiated capabilities (client wishes intersected with the server's).
        var capabilities: MySQLCapabilities
        var plugin: String
        var nonce: [UInt8]
        var isTLS: Bool
        /// The sequence id the next packet (either direction) must carry.
        var nextSequenceID: UInt8
        var switchedPlugin: Bool
        var sentCleartextPassword: Bool
    }

    mutating func greetingReceived(_ packet: MySQLPacket) -> Action {
        guard packet.sequenceID == 0 else {
            return self.fail(.protocolViolation("server greeting has sequence id \(packet.sequenceID), expected 0"))
        }
        var payload = packet.payload
        if packet.firstByte == MySQLPacketHeader.err {
            return self.fail(Self.serverError(payload: &payload, context: "server refused the connection", authentication: false))
        }
        let greeting: MySQLHandshakeV10
        do {
            greeting = try MySQLHandshakeV10.decode(from: &payload)
        } catch {
            return self.fail(error)
        }
        guard greeting.capabilities.contains(.protocol41), greeting.capabilities.contains(.secureConnection) else {
            return self.fail(.protocolViolation(
                "server \(greeting.serverVersion) does not support the 4.1 protocol with secure authentication"
            ))
        }
        var capabilities = Self.clientCapabilities
        if self.configuration.database != nil {
            capabilities.insert(.connectWithDB)
        }
        capabilities.formIntersection(greeting.capabilities)
        let serverPlugin = greeting.authPluginName ?? MySQLAuthPlugin.nativePassword
        var context = HandshakeContext(
            greeting: greeting,
            capabilities: capabilities,
            plugin: MySQLAuthPlugin.isSupported(serverPlugin) ? serverPlugin : MySQLAuthPlugin.nativePassword,
            nonce: greeting.authPluginData,
            isTLS: false,
            nextSequenceID: packet.lastSequenceID &+ 1,
            switchedPlugin: false,
            sentCleartextPassword: false
        )
        let useTLS: Bool
        switch self.configuration.tlsMode {
        case .disabled:
            useTLS = false
        case .preferred:
            useTLS = greeting.capabilities.contains(.ssl)
        case .required:
            guard greeting.capabilities.contains(.ssl) else {
                return self.fail(MySQLError(
                    code: .tlsUnavailable,
                    message: "TLS is required but server \(greeting.serverVersion) does not offer it; enable SSL on the server or set the TLS mode to preferred"
                ))
            }
            useTLS = true
        }
        guard useTLS else {
            return self.sendHandshakeResponse(context: context)
        }
        context.capabilities.insert(.ssl)
        let request = MySQLSSLRequest(capabilities: context.capabilities, maxPacketSize: self.maxPacketSizeField)
        var requestPayload = MySQLPacketBuilder.allocator.buffer(capacity: MySQLSSLRequest.payloadLength)
        request.encode(into: &requestPayload)
        let requestPacket = MySQLPacket(sequenceID: context.nextSequenceID, payload: requestPayload)
        context.nextSequenceID = requestPacket.lastSequenceID &+ 1
        self.state = .awaitingTLS(context)
        return .sendSSLRequestAndStartTLS(requestPacket)
    }

    mutating func sendHandshakeResponse(context: HandshakeContext) -> Action {
        var context = context
        let response = MySQLHandshakeResponse41(
            capabilities: context.capabilities,
            maxPacketSize: self.maxPacketSizeField,
            username: self.configuration.user,
            authResponse: MySQLAuthPlugin.scramble(
                plugin: context.plugin,
                password: self.configuration.password,
                nonce: context.nonce
            ) ?? [],
            database: self.configuration.database,
            authPluginName: context.plugin
        )
        var payload = MySQLPacketBuilder.allocator.buffer(capacity: 128)
        response.encode(into: &payload)
        let packet = MySQLPacket(sequenceID: context.nextSequenceID, payload: payload)
        context.nextSequenceID = packet.lastSequenceID &+ 1
        self.state = .authenticating(context)
        return .sendPacket(packet)
    }

    mutating func authenticationPacketReceived(_ packet: MySQLPacket, context: HandshakeContext) -> Action {
        guard packet.sequenceID == context.nextSequenceID else {
            return self.fail(.protocolViolation(
                "authentication packet has sequence id \(packet.sequenceID), expected \(context.nextSequenceID)"
            ))
        }
        var context = context
        context.nextSequenceID = packet.lastSequenceID &+ 1
        var payload = packet.payload
        switch packet.firstByte {
        case MySQLPacketHeader.ok:
            let ok: MySQLOKPacket
            do {
                ok = try MySQLOKPacket.decode(from: &payload, capabilities: context.capabilities)
            } catch {
                return self.fail(error)
            }
            let session = Session(
                serverVersion: context.greeting.displayVersion,
                connectionID: context.greeting.connectionID,
                capabilities: context.capabilities,
                isTLS: context.isTLS,
                statusFlags: ok.statusFlags
            )
            self.state = .ready(session)
            return .succeedHandshake(session)
        case MySQLPacketHeader.err:
            return self.fail(Self.serverError(payload: &payload, context: "server rejected the login", authentication: true))
        case MySQLPacketHeader.authSwitch:
            return self.authSwitchReceived(payload: &payload, context: context)
        case MySQLPacketHeader.authMoreData:
            return self.authMoreDataReceived(payload: &payload, context: context)
        case let byte:
            let shown = byte.map { "0x" + String($0, radix: 16) } ?? "an empty packet"
            return self.fail(.protocolViolation("unexpected packet during authentication (\(shown))"))
        }
    }

    private mutating func authSwitchReceived(payload: inout ByteBuffer, context: HandshakeContext) -> Action {
        guard !context.switchedPlugin else {
            return self.fail(.protocolViolation("server requested a second authentication plugin switch"))
        }
        let request: MySQLAuthSwitchRequest
        do {
            request = try MySQLAuthSwitchRequest.decode(from: &payload)
        } catch {
            return self.fail(error)
        }
        guard
            let scramble = MySQLAuthPlugin.scramble(
                plugin: request.pluginName,
                password: self.configuration.password,
                nonce: request.pluginData
            )
        else {
            return self.fail(MySQLError(
                code: .unsupportedAuthPlugin,
                message: "server requires authentication plugin '\(request.pluginName)'; supported are \(MySQLAuthPlugin.nativePassword) and \(MySQLAuthPlugin.cachingSHA2Password)"
            ))
        }
        var context = context
        context.plugin = request.pluginName
        context.nonce = request.pluginData
        context.switchedPlugin = true
        var answer = scramble
        if answer.isEmpty, request.pluginName == MySQLAuthPlugin.cachingSHA2Password {
            // libmysqlclient answers an empty caching_sha2 password with a single NUL byte.
            answer = [0]
        }
        return self.sendAuthData(answer, context: context)
    }

    private mutating func authMoreDataReceived(payload: inout ByteBuffer, context: HandshakeContext) -> Action {
        guard context.plugin == MySQLAuthPlugin.cachingSHA2Password else {
            return self.fail(.protocolViolation("server sent extra authentication data for \(context.plugin)"))
        }
        let moreData: MySQLAuthMoreData
        do {
            moreData = try MySQLAuthMoreData.decode(from: &payload)
        } catch {
            return self.fail(error)
        }
        switch moreData.data.first {
        case MySQLAuthMoreData.fastAuthSuccess where moreData.data.count == 1:
            self.state = .authenticating(context)
            return .none
        case MySQLAuthMoreData.performFullAuthentication where moreData.data.count == 1:
            guard context.isTLS else {
                return self.fail(MySQLError(
                    code: .authenticationFailed,
                    message: "caching_sha2_password requires full authentication for user '\(self.configuration.user)' (the server has not cached its credentials); this client sends the password only over TLS and does not implement the RSA key exchange: enable TLS, or log in once over TLS to fill the server's cache"
                ))
            }
            guard !context.sentCleartextPassword else {
                return self.fail(.protocolViolation("server requested full authentication twice"))
            }
            var context = context
            context.sentCleartextPassword = true
            return self.sendAuthData(Array(self.configuration.password.utf8) + [0], context: context)
        default:
            return self.fail(.protocolViolation("unexpected caching_sha2_password data from the server"))
        }
    }

    private mutating func sendAuthData(_ data: [UInt8], context: HandshakeContext) -> Action {
        var context = context
        var payload = MySQLPacketBuilder.allocator.buffer(capacity: data.count)
        payload.writeBytes(data)
        let packet = MySQLPacket(sequenceID: context.nextSequenceID, payload: payload)
        context.nextSequenceID = packet.lastSequenceID &+ 1
        self.state = .authenticating(context)
        return .sendPacket(packet)
    }

    /// The max_packet_size announced to the server.
    private var maxPacketSizeField: UInt32 {
        UInt32(clamping: self.configuration.maxPacketSize)
    }

    /// Turns an ERR payload into a MySQLError; `authentication` classifies credential errors.
    static func serverError(payload: inout ByteBuffer, context: String, authentication: Bool) -> MySQLError {
        let err: MySQLERRPacket
        do {
            err = try MySQLERRPacket.decode(from: &payload)
        } catch {
            return error
        }
        let isAuthentication = authentication && Self.authenticationErrorNumbers.contains(err.errorNumber)
        return MySQLError(
            code: isAuthentication ? .authenticationFailed : .serverError,
            message: context.isEmpty ? err.message : "\(context): \(err.message)",
            serverErrorNumber: err.errorNumber,
            sqlState: err.sqlState
        )
    }
}
