import NIOCore

/// The client side of the MySQL protocol as a pure state machine: events in, actions out.
///
/// It owns no I/O, clock or promise. ``MySQLChannelHandler`` feeds it packets, TLS and timer events and performs
/// the returned ``Action``s. Every path that cannot continue ends in ``Action/failAndClose(_:)``; every
/// channel closure ends in ``Action/reportClosed(pendingError:reason:)``, so no caller is left waiting.
struct MySQLConnectionStateMachine {
    /// What the machine needs to know to log in.
    struct Configuration: Sendable {
        var user: String
        var password: String
        var database: String?
        var tlsMode: MySQLTLSConfiguration.Mode
        var maxPacketSize: Int
        /// The most payload bytes one command's response may accumulate.
        var maxResultSize: Int = 64 * 1024 * 1024
    }

    /// What the client learned during the handshake.
    struct Session: Sendable, Equatable {
        var serverVersion: String
        var connectionID: UInt32
        var capabilities: MySQLCapabilities
        var isTLS: Bool
        var statusFlags: MySQLServerStatus
    }

    enum Action {
        case none
        /// Write and flush the packet.
        case sendPacket(MySQLPacket)
        /// Write and flush the SSLRequest, add the TLS handler in front of the packet codec, then report
        /// ``MySQLConnectionStateMachine/tlsStarted()``.
        case sendSSLRequestAndStartTLS(MySQLPacket)
        /// Authentication succeeded: complete the connect with this session.
        case succeedHandshake(Session)
        /// The running command finished: complete it with this result.
        case succeedCommand(MySQLQueryResult)
        /// The running command failed but the connection stays usable (the server answered ERR).
        case failCommand(MySQLError)
        /// A newly submitted command cannot run now; fail only that command.
        case rejectCommand(MySQLError)
        /// Fail whatever is pending (connect or command) with the error and close the channel.
        case failAndClose(MySQLError)
        /// Write COM_QUIT, then close the channel.
        case sendQuitAndClose(MySQLPacket)
        /// The channel is gone: fail anything still pending with `pendingError` and report `reason` to
        /// close observers (nil when the client closed the connection itself).
        case reportClosed(pendingError: MySQLError, reason: MySQLError?)
    }

    enum State {
        case awaitingGreeting
        case awaitingTLS(HandshakeContext)
        case authenticating(HandshakeContext)
        case ready(Session)
        case executing(Session, CommandContext)
        /// Closing was decided; waiting for the channel to go inactive.
        case closing(reason: MySQLError?)
        case closed
        /// Only while a packet of the running command is handled: the command is out of the state so that its
        /// column and row arrays grow in place instead of being copied for every packet.
        case modifying
    }

    let configuration: Configuration
    /// Only the machine's own extensions change the state.
    var state: State = .awaitingGreeting

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// True while no command is running and the connection is open.
    var isReady: Bool {
        if case .ready = self.state {
            return true
        }
        return false
    }

    // MARK: Events

    mutating func packetReceived(_ packet: MySQLPacket) -> Action {
        switch self.state {
        case .awaitingGreeting:
            return self.greetingReceived(packet)
        case .awaitingTLS:
            return self.fail(.protocolViolation("server sent a packet before the TLS handshake finished"))
        case .authenticating(let context):
            return self.authenticationPacketReceived(packet, context: context)
        case .ready:
            return self.unsolicitedPacketReceived(packet)
        case .executing(let session, var command):
            self.state = .modifying
            return self.commandPacketReceived(packet, session: session, command: &command)
        case .closing, .closed:
            return .none
        case .modifying:
            preconditionFailure("MySQLConnectionStateMachine re-entered while handling a packet")
        }
    }

    /// The TLS handler is in place (it holds writes until its handshake finishes).
    mutating func tlsStarted() -> Action {
        guard case .awaitingTLS(var context) = self.state else {
            return .none
        }
        context.isTLS = true
        return self.sendHandshakeResponse(context: context)
    }

    mutating func sendCommand(_ command: MySQLCommand) -> Action {
        switch self.state {
        case .ready(let session):
            if case .quit = command {
                return self.closeRequested()
            }
            var payload = MySQLPacketBuilder.allocator.buffer(capacity: 64)
            command.encode(into: &payload)
            let packet = MySQLPacket(sequenceID: 0, payload: payload)
            self.state = .executing(session, CommandContext(command: command, nextSequenceID: packet.lastSequenceID &+ 1))
            return .sendPacket(packet)
        case .executing:
            return .rejectCommand(MySQLError(
                code: .commandsOutOfSequence,
                message: "another command is still running on this connection; a MySQLConnection runs one command at a time"
            ))
        case .awaitingGreeting, .awaitingTLS, .authenticating:
            return .rejectCommand(MySQLError(
                code: .commandsOutOfSequence,
                message: "the connection has not finished its handshake"
            ))
        case .closing(let reason):
            return .rejectCommand(.connectionClosed("the connection is closed", underlying: reason))
        case .closed:
            return .rejectCommand(.connectionClosed("the connection is closed"))
        case .modifying:
            preconditionFailure("MySQLConnectionStateMachine re-entered while handling a packet")
        }
    }

    /// The client wants the connection closed (COM_QUIT when idle).
    mutating func closeRequested() -> Action {
        switch self.state {
        case .ready:
            self.state = .closing(reason: nil)
            var payload = MySQLPacketBuilder.allocator.buffer(capacity: 1)
            MySQLCommand.quit.encode(into: &payload)
            return .sendQuitAndClose(MySQLPacket(sequenceID: 0, payload: payload))
        case .executing:
            self.state = .closing(reason: nil)
            return .failAndClose(.connectionClosed("the connection was closed by the client while a command was running"))
        case .awaitingGreeting, .awaitingTLS, .authenticating:
            self.state = .closing(reason: nil)
            return .failAndClose(.connectionClosed("the connection was closed by the client during the handshake"))
        case .closing, .closed:
            return .none
        case .modifying:
            preconditionFailure("MySQLConnectionStateMachine re-entered while handling a packet")
        }
    }

    /// The connect deadline passed.
    mutating func connectTimeoutFired(after timeout: Duration) -> Action {
        switch self.state {
        case .awaitingGreeting, .awaitingTLS, .authenticating:
            return self.fail(MySQLError(
                code: .connectTimeout,
                message: "connect, TLS and authentication did not finish within \(timeout)"
            ))
        case .ready, .executing, .closing, .closed:
            return .none
        case .modifying:
            preconditionFailure("MySQLConnectionStateMachine re-entered while handling a packet")
        }
    }

    /// The running command's deadline passed.
    mutating func commandTimeoutFired(after timeout: Duration) -> Action {
        guard case .executing(_, let command) = self.state else {
            return .none
        }
        return self.fail(MySQLError(
            code: .queryTimeout,
            message: "\(command.command.summary) did not finish within \(timeout); the connection was closed"
        ))
    }

    /// The task waiting on the connect or the command was cancelled.
    mutating func cancelled() -> Action {
        switch self.state {
        case .awaitingGreeting, .awaitingTLS, .authenticating, .executing:
            return self.fail(MySQLError(code: .cancelled, message: "the operation was cancelled; the connection was closed"))
        case .ready, .closing, .closed:
            return .none
        case .modifying:
            preconditionFailure("MySQLConnectionStateMachine re-entered while handling a packet")
        }
    }

    /// The pipeline reported an error (decoder, TLS, socket).
    mutating func errorCaught(_ error: MySQLError) -> Action {
        self.fail(error)
    }

    /// The channel went inactive.
    mutating func channelInactive() -> Action {
        let error: MySQLError
        switch self.state {
        case .awaitingGreeting, .awaitingTLS, .authenticating:
            error = .connectionClosed("the server closed the connection during the handshake")
        case .ready:
            error = .connectionClosed("the server closed the connection")
        case .executing(_, let command):
            error = .connectionClosed("the server closed the connection while \(command.command.summary) was running")
        case .closing(let reason):
            self.state = .closed
            return .reportClosed(
                pendingError: reason ?? .connectionClosed("the connection was closed"),
                reason: reason
            )
        case .closed:
            return .none
        case .modifying:
            preconditionFailure("MySQLConnectionStateMachine re-entered while handling a packet")
        }
        self.state = .closed
        return .reportClosed(pendingError: error, reason: error)
    }

    // MARK: Helpers

    /// Moves to closing with `error` as the reason and asks the shell to fail what is pending and close.
    mutating func fail(_ error: MySQLError) -> Action {
        switch self.state {
        case .closing, .closed:
            return .none
        default:
            self.state = .closing(reason: error)
            return .failAndClose(error)
        }
    }

    private mutating func unsolicitedPacketReceived(_ packet: MySQLPacket) -> Action {
        if packet.firstByte == MySQLPacketHeader.err {
            var payload = packet.payload
            if let err = try? MySQLERRPacket.decode(from: &payload) {
                return self.fail(MySQLError(
                    code: .serverError,
                    message: "server closed the connection: \(err.message)",
                    serverErrorNumber: err.errorNumber,
                    sqlState: err.sqlState
                ))
            }
        }
        return self.fail(.protocolViolation("server sent a packet while no command was running"))
    }
}

/// The allocator for packets built by the state machine (ByteBuffers do not depend on the channel's allocator).
enum MySQLPacketBuilder {
    static let allocator = ByteBufferAllocator()
}
