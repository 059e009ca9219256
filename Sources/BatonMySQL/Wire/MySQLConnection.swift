import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One client connection to a MySQL or MariaDB server.
///
/// Commands run one at a time: a command issued while another is running fails at once with
/// ``MySQLError/Code/commandsOutOfSequence`` (nothing is queued). A command that misses its timeout fails with
/// ``MySQLError/Code/queryTimeout`` and closes the connection, because a half-read result cannot be resumed;
/// cancelling the awaiting task does the same with ``MySQLError/Code/cancelled``. All thrown errors are
/// ``MySQLError``.
public final class MySQLConnection: Sendable {
    /// The server version, without MariaDB's `5.5.5-` prefix (e.g. `10.11.6-MariaDB-0+deb12u1`).
    public let serverVersion: String
    /// The server's id for this connection (`CONNECTION_ID()`).
    public let connectionID: UInt32
    /// True when the connection is encrypted with TLS.
    public let isTLS: Bool

    private let channel: any Channel
    private let queryTimeout: Duration
    private let closeNotifier: MySQLCloseNotifier

    private init(
        channel: any Channel,
        session: MySQLConnectionStateMachine.Session,
        queryTimeout: Duration,
        closeNotifier: MySQLCloseNotifier
    ) {
        self.channel = channel
        self.serverVersion = session.serverVersion
        self.connectionID = session.connectionID
        self.isTLS = session.isTLS
        self.queryTimeout = queryTimeout
        self.closeNotifier = closeNotifier
    }

    /// Connects, negotiates TLS as configured and authenticates, all within `configuration.connectTimeout`.
    ///
    /// - Throws: ``MySQLError`` with code `connectFailed`, `connectTimeout`, `authenticationFailed`,
    ///   `serverError`, `tlsUnavailable`, `tlsFailed`, `unsupportedAuthPlugin`, `cancelled`, or a protocol error.
    public static func connect(
        to configuration: MySQLConnectionConfiguration,
        on group: any EventLoopGroup,
        logger: Logger
    ) async throws -> MySQLConnection {
        var logger = logger
        logger[metadataKey: "baton.mysql.host"] = "\(configuration.host)"
        logger[metadataKey: "baton.mysql.port"] = "\(configuration.port)"
        try Task.checkCancellation(orThrow: MySQLError(code: .cancelled, message: "the connect was cancelled"))

        let sslContext = try configuration.tls.makeSSLContext()
        let eventLoop = group.next()
        let handshake = eventLoop.makePromise(of: MySQLConnectionStateMachine.Session.self)
        let closeNotifier = MySQLCloseNotifier()
        let machineConfiguration = MySQLConnectionStateMachine.Configuration(
            user: configuration.user,
            password: configuration.password,
            database: configuration.database,
            tlsMode: configuration.tls.mode,
            maxPacketSize: configuration.maxPacketSize,
            maxResultSize: configuration.maxResultSize
        )
        let serverHostname = Self.isIPAddress(configuration.host) ? nil : configuration.host
        let handlerLogger = logger
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(MySQLPacketDecoder(maxPayloadSize: configuration.maxPacketSize)),
                        MessageToByteHandler(MySQLPacketEncoder()),
                        MySQLChannelHandler(
                            configuration: machineConfiguration,
                            sslContext: sslContext,
                            serverHostname: serverHostname,
                            connectTimeout: configuration.connectTimeout,
                            handshakePromise: handshake,
                            closeNotifier: closeNotifier,
                            logger: handlerLogger
                        ),
                    ])
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            let connectError = Self.mapConnectError(error, configuration: configuration)
            handshake.fail(connectError)
            // If the handler's own deadline fired first, the socket error is only its consequence.
            do {
                _ = try await handshake.futureResult.get()
            } catch let handlerError as MySQLError where handlerError.code == .connectTimeout {
                throw handlerError
            } catch {
                // Any other handler error (removal) is a consequence of the failed connect.
            }
            throw connectError
        }
        let session = try await withTaskCancellationHandler {
            try await handshake.futureResult.get()
        } onCancel: {
            channel.triggerUserOutboundEvent(MySQLCancelEvent(), promise: nil)
        }
        logger.debug("MySQL connection established", metadata: ["baton.mysql.connection_id": "\(session.connectionID)"])
        return MySQLConnection(
            channel: channel,
            session: session,
            queryTimeout: configuration.queryTimeout,
            closeNotifier: closeNotifier
        )
    }

    /// Runs a text query and returns its first result set (or OK information for statements without one).
    ///
    /// Further result sets (stored procedures) are read and discarded.
    /// - Parameter timeout: overrides the configured query timeout for this call.
    public func query(_ sql: String, timeout: Duration? = nil) async throws -> MySQLQueryResult {
        try await self.run(.query(sql), timeout: timeout)
    }

    /// Sends COM_PING and waits for the server's OK.
    public func ping(timeout: Duration? = nil) async throws {
        _ = try await self.run(.ping, timeout: timeout)
    }

    /// Sends COM_QUIT (when idle) and closes the socket. Idempotent; a running command fails with
    /// ``MySQLError/Code/connectionClosed``.
    public func close() async {
        self.closeNotifier.markCloseRequested()
        try? await self.channel.close(mode: .all)
        try? await self.channel.closeFuture.get()
    }

    /// True once ``close()`` was called or the connection went away.
    public var isClosed: Bool {
        self.closeNotifier.isClosed
    }

    /// Calls `callback` once when the connection closes: with the reason when the server, the network or a
    /// timeout closed it, with nil when ``close()`` closed it. Runs right away if already closed.
    ///
    /// The callback runs on the connection's event loop and must not block.
    public func onClose(_ callback: @Sendable @escaping (MySQLError?) -> Void) {
        self.closeNotifier.register(callback)
    }

    /// Waits until the connection is closed and returns the reason (nil when closed by ``close()``).
    public func closed() async -> MySQLError? {
        await withCheckedContinuation { continuation in
            self.onClose { continuation.resume(returning: $0) }
        }
    }

    private func run(_ command: MySQLCommand, timeout: Duration?) async throws -> MySQLQueryResult {
        try Task.checkCancellation(orThrow: MySQLError(code: .cancelled, message: "\(command.summary) was cancelled before it started"))
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: MySQLQueryResult.self)
        let request = MySQLRequest(command: command, timeout: timeout ?? self.queryTimeout, promise: promise)
        channel.writeAndFlush(request).whenFailure { error in
            promise.fail(MySQLError.connectionClosed("the connection is closed", underlying: error))
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.triggerUserOutboundEvent(MySQLCancelEvent(), promise: nil)
        }
    }

    private static func mapConnectError(_ error: any Error, configuration: MySQLConnectionConfiguration) -> MySQLError {
        let target = "\(configuration.host):\(configuration.port)"
        if case ChannelError.connectTimeout = error {
            return MySQLError(
                code: .connectTimeout,
                message: "TCP connect to \(target) did not finish within \(configuration.connectTimeout)",
                underlying: error
            )
        }
        return MySQLError(code: .connectFailed, message: "could not connect to \(target)", underlying: error)
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

extension Task where Success == Never, Failure == Never {
    fileprivate static func checkCancellation(orThrow error: MySQLError) throws {
        if Task.isCancelled {
            throw error
        }
    }
}
