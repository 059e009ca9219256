import Logging
import NIOCore
import NIOSSL

/// The thin NIO shell around ``MySQLConnectionStateMachine``: it feeds the machine packets, TLS and timer
/// events, and performs its actions (writes, TLS setup, timers, promises, closing).
///
/// Pipeline, socket first: `[NIOSSLClientHandler]`, packet decoder, packet encoder, this handler.
final class MySQLChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = MySQLPacket
    typealias OutboundIn = MySQLRequest
    typealias OutboundOut = MySQLPacket

    /// The pipeline name of the TLS handler added after the SSLRequest.
    static let tlsHandlerName = "mysql-tls"

    private var stateMachine: MySQLConnectionStateMachine
    private let sslContext: NIOSSLContext?
    private let serverHostname: String?
    private let connectTimeout: Duration
    private let closeNotifier: MySQLCloseNotifier
    private let logger: Logger

    private var handshakePromise: EventLoopPromise<MySQLConnectionStateMachine.Session>?
    private var connectTimer: Scheduled<Void>?
    private var currentCommand: (promise: EventLoopPromise<MySQLQueryResult>, timer: Scheduled<Void>?)?

    /// - Parameters:
    ///   - serverHostname: the name for TLS SNI and verification; nil for IP addresses.
    ///   - connectTimeout: measured from the moment the handler is added; covers TCP, TLS and authentication.
    init(
        configuration: MySQLConnectionStateMachine.Configuration,
        sslContext: NIOSSLContext?,
        serverHostname: String?,
        connectTimeout: Duration,
        handshakePromise: EventLoopPromise<MySQLConnectionStateMachine.Session>,
        closeNotifier: MySQLCloseNotifier,
        logger: Logger
    ) {
        self.stateMachine = MySQLConnectionStateMachine(configuration: configuration)
        self.sslContext = sslContext
        self.serverHostname = serverHostname
        self.connectTimeout = connectTimeout
        self.handshakePromise = handshakePromise
        self.closeNotifier = closeNotifier
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        let timeout = self.connectTimeout
        self.connectTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.run(self.stateMachine.connectTimeoutFired(after: timeout), context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Normally channelInactive has settled everything; this guards against removal on an open channel.
        self.failPending(with: .connectionClosed("the connection handler was removed"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.run(self.stateMachine.channelInactive(), context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let packet = self.unwrapInboundIn(data)
        self.run(self.stateMachine.packetReceived(packet), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.run(self.stateMachine.errorCaught(Self.mapError(error)), context: context)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        promise?.succeed(())
        switch self.stateMachine.sendCommand(request.command) {
        case .sendPacket(let packet):
            let timeout = request.timeout
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                self.run(self.stateMachine.commandTimeoutFired(after: timeout), context: context)
            }
            self.currentCommand = (request.promise, timer)
            context.writeAndFlush(self.wrapOutboundOut(packet), promise: nil)
        case .rejectCommand(let error):
            request.promise.fail(error)
        case let action:
            // Only COM_QUIT leads elsewhere; it is not sent through write, but stay total.
            request.promise.fail(MySQLError.connectionClosed("the connection is closing"))
            self.run(action, context: context)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch self.stateMachine.closeRequested() {
        case .none:
            context.close(mode: mode, promise: promise)
        case let action:
            self.run(action, context: context, closePromise: promise)
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is MySQLCancelEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed(())
        self.run(self.stateMachine.cancelled(), context: context)
    }

    // MARK: Actions

    private func run(
        _ action: MySQLConnectionStateMachine.Action,
        context: ChannelHandlerContext,
        closePromise: EventLoopPromise<Void>? = nil
    ) {
        switch action {
        case .none:
            closePromise?.succeed(())
        case .sendPacket(let packet):
            context.writeAndFlush(self.wrapOutboundOut(packet), promise: nil)
        case .sendSSLRequestAndStartTLS(let packet):
            context.writeAndFlush(self.wrapOutboundOut(packet), promise: nil)
            self.startTLS(context: context)
        case .succeedHandshake(let session):
            self.connectTimer?.cancel()
            self.connectTimer = nil
            let promise = self.handshakePromise
            self.handshakePromise = nil
            self.logger.debug(
                "MySQL handshake completed",
                metadata: [
                    "baton.mysql.connection_id": "\(session.connectionID)",
                    "baton.mysql.server_version": "\(session.serverVersion)",
                    "baton.mysql.tls": "\(session.isTLS)",
                ]
            )
            promise?.succeed(session)
        case .succeedCommand(let result):
            let command = self.currentCommand
            self.currentCommand = nil
            command?.timer?.cancel()
            command?.promise.succeed(result)
        case .failCommand(let error):
            let command = self.currentCommand
            self.currentCommand = nil
            command?.timer?.cancel()
            command?.promise.fail(error)
        case .rejectCommand:
            // Rejections are answered in write(context:data:promise:), where the rejected promise is known.
            break
        case .failAndClose(let error):
            self.logger.debug(
                "MySQL connection failed",
                metadata: ["baton.mysql.error_code": "\(error.code)", "baton.mysql.error": "\(error.message)"]
            )
            self.failPending(with: error)
            context.close(mode: .all, promise: closePromise)
        case .sendQuitAndClose(let packet):
            // The flush hands COM_QUIT to the kernel right away when the socket is writable; closing without
            // waiting for the write keeps close() from hanging on a server that stopped reading.
            context.writeAndFlush(self.wrapOutboundOut(packet), promise: nil)
            context.close(mode: .all, promise: closePromise)
        case .reportClosed(let pendingError, let reason):
            self.failPending(with: pendingError)
            self.logger.debug(
                "MySQL connection closed",
                metadata: ["baton.mysql.close_reason": "\(reason.map { $0.code.rawValue } ?? "client")"]
            )
            self.closeNotifier.notifyClosed(reason: reason)
            closePromise?.succeed(())
        }
    }

    private func startTLS(context: ChannelHandlerContext) {
        guard let sslContext = self.sslContext else {
            let error = MySQLError(code: .tlsFailed, message: "TLS was negotiated but no TLS context is configured")
            self.run(self.stateMachine.errorCaught(error), context: context)
            return
        }
        do {
            let tlsHandler = try NIOSSLClientHandler(context: sslContext, serverHostname: self.serverHostname)
            try context.pipeline.syncOperations.addHandler(tlsHandler, name: Self.tlsHandlerName, position: .first)
        } catch {
            self.run(
                self.stateMachine.errorCaught(MySQLError(code: .tlsFailed, message: "could not start TLS", underlying: error)),
                context: context
            )
            return
        }
        // NIOSSL holds writes until its handshake has finished, so the handshake response can be queued now;
        // nothing is sent in clear text, and a failed TLS handshake fails the connect through errorCaught.
        self.run(self.stateMachine.tlsStarted(), context: context)
    }

    private func failPending(with error: MySQLError) {
        self.connectTimer?.cancel()
        self.connectTimer = nil
        let handshake = self.handshakePromise
        self.handshakePromise = nil
        let command = self.currentCommand
        self.currentCommand = nil
        command?.timer?.cancel()
        handshake?.fail(error)
        command?.promise.fail(error)
    }

    /// Maps pipeline errors to ``MySQLError``.
    static func mapError(_ error: any Error) -> MySQLError {
        switch error {
        case let error as MySQLError:
            return error
        case NIOSSLError.uncleanShutdown:
            return .connectionClosed("the server closed the TLS connection without a TLS close notification", underlying: error)
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return MySQLError(
                code: .tlsFailed,
                message: "TLS with the server failed (handshake or certificate verification)",
                underlying: error
            )
        case let error as ByteToMessageDecoderError:
            return .malformed("the packet stream could not be decoded: \(error)")
        default:
            return .connectionClosed("the connection to the server failed", underlying: error)
        }
    }
}
