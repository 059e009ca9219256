import BatonCore
import BatonMySQL
import BatonTestSupport
import Logging
import NIOPosix
import Synchronization

/// Connections and probes against simulated servers, with Baton's own client and prober.
enum FleetClient {
    static let logger = Logger(label: "test.fleet")

    static func configuration(
        _ key: InstanceKey, password: String = "baton_pw", timeout: Duration = .seconds(10)
    ) -> MySQLConnectionConfiguration {
        MySQLConnectionConfiguration(
            host: key.hostname, port: key.port, user: "baton", password: password, connectTimeout: timeout,
            queryTimeout: timeout)
    }

    static func connect(
        _ key: InstanceKey, password: String = "baton_pw", timeout: Duration = .seconds(10)
    ) async throws -> MySQLConnection {
        try await MySQLConnection.connect(
            to: configuration(key, password: password, timeout: timeout), on: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
    }

    /// One probe over a fresh connection, as Baton's prober runs it.
    static func probe(
        _ key: InstanceKey, options: InstanceProber.Options = .init(), timeout: Duration = .seconds(10)
    ) async -> ProbeOutcome {
        let connection: MySQLConnection
        do {
            connection = try await connect(key, timeout: timeout)
        } catch {
            return .failure(error)
        }
        let outcome = await InstanceProber(options: options).probe(ConnectionSession(connection: connection))
        await connection.close()
        return outcome
    }

    /// Runs `sql` and returns the rows as column-name dictionaries.
    static func rows(_ connection: MySQLConnection, _ sql: String) async throws -> [[String: String?]] {
        try await connection.query(sql).rows.map(\.dictionary)
    }
}

/// The prober's session over a `MySQLConnection` (BatonEngine has the production one).
struct ConnectionSession: ProbeSession {
    let connection: MySQLConnection

    func rows(_ sql: String) async throws -> [ProbeRow] {
        let result = try await connection.query(sql)
        let columns = result.columns.names
        return result.rows.map { ProbeRow(columns: columns, values: $0.values) }
    }
}

extension SimulatedFleet {
    /// A fleet for one test; shut down by `body`'s end whatever happens.
    static func with<T>(
        _ topology: FleetTopology, _ body: (SimulatedFleet) async throws -> T
    ) async throws -> T {
        let fleet = try await SimulatedFleet.start(topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            let result = try await body(fleet)
            await fleet.shutdown()
            return result
        } catch {
            await fleet.shutdown()
            throw error
        }
    }
}
