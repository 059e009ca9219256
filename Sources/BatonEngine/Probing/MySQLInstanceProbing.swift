import BatonCore
import BatonMySQL
import Logging
import NIOCore
import Synchronization

/// Probes instances over one persistent MySQL connection each, reconnecting after any failure.
///
/// A probe never runs twice at once for the same key (the monitor guarantees it), so a connection serves one
/// probe at a time. Every connect and query has a deadline, so a hanging server costs one probe slot for at
/// most the connect timeout plus the read timeouts.
public final class MySQLInstanceProbing: InstanceProbing {
    let access: BatonConfiguration.TopologyAccess
    let prober: InstanceProber
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let connections = Mutex<[InstanceKey: MySQLConnection]>([:])
    public let connectionLosses: AsyncStream<ConnectionLoss>
    private let lossContinuation: AsyncStream<ConnectionLoss>.Continuation

    public init(
        access: BatonConfiguration.TopologyAccess, options: InstanceProber.Options, eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) {
        self.access = access
        self.prober = InstanceProber(options: options)
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        (connectionLosses, lossContinuation) = AsyncStream<ConnectionLoss>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
    }

    public func probe(_ key: InstanceKey) async -> ProbeOutcome {
        let connection: MySQLConnection
        if let open = connections.withLock({ $0[key] }), !open.isClosed {
            connection = open
        } else {
            do {
                connection = try await MySQLConnection.connect(
                    to: access.connectionConfiguration(for: key, queryTimeout: readTimeout), on: eventLoopGroup,
                    logger: logger)
            } catch {
                return .failure(error)
            }
            watch(connection, of: key)
            let replaced = connections.withLock { $0.updateValue(connection, forKey: key) }
            if let replaced { await replaced.close() }
        }
        let outcome = await prober.probe(
            ConnectionProbeSession(connection: connection, firstTimeout: livenessTimeout, timeout: readTimeout))
        if outcome.error != nil, !Self.keepsConnection(after: outcome.error) {
            await drop(key, connection)
        }
        return outcome
    }

    public func release(_ key: InstanceKey) async {
        if let connection = connections.withLock({ $0.removeValue(forKey: key) }) {
            await connection.close()
        }
    }

    public func shutdown() async {
        lossContinuation.finish()
        let all = connections.withLock { connections in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        for connection in all { await connection.close() }
    }

    /// Reports the server closing the connection (reset, shutdown, a killed session) while Baton did not close it.
    /// Closing it ourselves reports nothing; a query timeout is reported by the probe that timed out.
    private func watch(_ connection: MySQLConnection, of key: InstanceKey) {
        let continuation = lossContinuation
        connection.onClose { error in
            guard let error, error.code == .connectionClosed || error.code == .serverError else { return }
            continuation.yield(ConnectionLoss(key: key, reason: "\(error)"))
        }
    }

    private func drop(_ key: InstanceKey, _ connection: MySQLConnection) async {
        connections.withLock { connections in
            if connections[key] === connection { connections.removeValue(forKey: key) }
        }
        await connection.close()
    }

    /// A server error (e.g. missing privilege for one statement) leaves the connection usable; anything else
    /// (timeout, closed connection, garbage) means it cannot be trusted any more.
    static func keepsConnection(after error: (any Error)?) -> Bool {
        guard let error = error as? MySQLError else { return false }
        return error.code == .serverError
    }

    var readTimeout: Duration { .seconds(access.discoveryReadTimeoutSeconds) }

    /// The deadline of a probe's first statement: a server that stopped answering without closing the connection
    /// (hung, paused, cut off by the network) is found within this, not the longer read timeout.
    var livenessTimeout: Duration { min(readTimeout, .seconds(access.connectTimeoutSeconds)) }
}

/// Runs the prober's statements on a `MySQLConnection`: the first under `firstTimeout` (is the server alive?),
/// the rest under `timeout`.
final class ConnectionProbeSession: ProbeSession {
    let connection: MySQLConnection
    let firstTimeout: Duration
    let timeout: Duration
    private let statements = Mutex(0)

    init(connection: MySQLConnection, firstTimeout: Duration, timeout: Duration) {
        self.connection = connection
        self.firstTimeout = firstTimeout
        self.timeout = timeout
    }

    func rows(_ sql: String) async throws -> [ProbeRow] {
        let isFirst = statements.withLock { count in
            count += 1
            return count == 1
        }
        let result = try await connection.query(sql, timeout: isFirst ? firstTimeout : timeout)
        let columns = result.columns.names
        return result.rows.map { ProbeRow(columns: columns, values: $0.values) }
    }
}
