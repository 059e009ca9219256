import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import BatonMySQL

/// Settings for the optional real-server tests, read from the environment.
///
/// `BATON_TEST_MYSQL_PORT` enables them; `BATON_TEST_MYSQL_HOST` (default 127.0.0.1), `BATON_TEST_MYSQL_USER` and
/// `BATON_TEST_MYSQL_PASSWORD` (defaults: scripts/sandbox's Baton user, `baton` / `baton_pw`) name the account,
/// which needs PROCESS and REPLICATION CLIENT (for `SHOW SLAVE STATUS`) and may `KILL` its own connections.
/// `BATON_TEST_MYSQL_TLS=1` adds TLS tests without verification; `BATON_TEST_MYSQL_CA` adds a CA-verified one.
enum WireRealServer {
    static let environment = ProcessInfo.processInfo.environment
    static let port: Int? = environment["BATON_TEST_MYSQL_PORT"].flatMap(Int.init)
    static let isEnabled = port != nil
    static let tlsEnabled = isEnabled && environment["BATON_TEST_MYSQL_TLS"] == "1"
    static let caFile = environment["BATON_TEST_MYSQL_CA"]

    static func configuration(
        password: String? = nil,
        tls: MySQLTLSConfiguration = .disabled,
        queryTimeout: Duration = .seconds(10)
    ) -> MySQLConnectionConfiguration {
        MySQLConnectionConfiguration(
            host: environment["BATON_TEST_MYSQL_HOST"] ?? "127.0.0.1",
            port: port ?? 3306,
            user: environment["BATON_TEST_MYSQL_USER"] ?? environment["BATON_SANDBOX_USER"] ?? "baton",
            password: password ?? environment["BATON_TEST_MYSQL_PASSWORD"] ?? environment["BATON_SANDBOX_PASSWORD"] ?? "baton_pw",
            connectTimeout: .seconds(5),
            queryTimeout: queryTimeout,
            tls: tls
        )
    }

    static func connect(_ configuration: MySQLConnectionConfiguration = configuration()) async throws -> MySQLConnection {
        try await MySQLConnection.connect(to: configuration, on: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "wire-test"))
    }
}

@Suite("Wire against a real server", .enabled(if: WireRealServer.isEnabled, "set BATON_TEST_MYSQL_PORT"))
struct WireRealServerTests {
    @Test func queriesPingAndQuit() async throws {
        let connection = try await WireRealServer.connect()
        #expect(!connection.serverVersion.isEmpty)
        #expect(connection.connectionID > 0)

        let version = try await connection.query("SELECT @@version, NULL, 1")
        #expect(version.columnNames == ["@@version", "NULL", "1"])
        let row = try #require(version.rows.first)
        #expect(row[0] == connection.serverVersion)
        #expect(row[1] == nil)
        #expect(row[2] == "1")

        let replica = try await connection.query("SHOW SLAVE STATUS")
        #expect(replica.hasResultSet)

        let gtid = try await connection.query("SHOW VARIABLES LIKE 'gtid%'")
        #expect(gtid.columnNames.map { $0.lowercased() } == ["variable_name", "value"])
        #expect(!gtid.rows.isEmpty)
        #expect(gtid.rows.allSatisfy { $0["VARIABLE_NAME"]?.hasPrefix("gtid") == true })

        try await connection.ping()
        let closeReason = WireLockedBox<[MySQLError?]>([])
        connection.onClose { reason in closeReason.withLock { $0.append(reason) } }
        await connection.close()
        await connection.close()
        #expect(connection.isClosed)
        #expect(closeReason.withLock { $0.count } == 1)
        #expect(closeReason.withLock { $0.first ?? nil } == nil)
        await #expect { try await connection.ping() } throws: { ($0 as? MySQLError)?.code == .connectionClosed }
    }

    @Test func wrongPasswordIsRejected() async throws {
        await #expect {
            _ = try await WireRealServer.connect(WireRealServer.configuration(password: "definitely-wrong"))
        } throws: { error in
            let error = error as? MySQLError
            return error?.code == .authenticationFailed && error?.serverErrorNumber == 1045 && error?.sqlState == "28000"
        }
    }

    @Test func serverErrorLeavesTheConnectionUsable() async throws {
        let connection = try await WireRealServer.connect()
        await #expect {
            _ = try await connection.query("SELECT * FROM baton_no_such_schema.t")
        } throws: { error in
            let error = error as? MySQLError
            return error?.code == .serverError && error?.serverErrorNumber != nil && error?.sqlState != nil
        }
        #expect(try await connection.query("SELECT 2").rows.first?[0] == "2")
        let ok = try await connection.query("DO 1")
        #expect(!ok.hasResultSet)
        await connection.close()
    }

    @Test func queryTimeoutClosesTheConnection() async throws {
        let connection = try await WireRealServer.connect()
        await #expect {
            _ = try await connection.query("SELECT SLEEP(5)", timeout: .milliseconds(200))
        } throws: { ($0 as? MySQLError)?.code == .queryTimeout }
        let reason = await connection.closed()
        #expect(reason?.code == .queryTimeout)
        #expect(connection.isClosed)
    }

    @Test func killedConnectionIsNoticedWithoutAQuery() async throws {
        let victim = try await WireRealServer.connect()
        let killer = try await WireRealServer.connect()
        _ = try await killer.query("KILL \(victim.connectionID)")
        let reason = await victim.closed()
        #expect(reason != nil)
        #expect(victim.isClosed)
        await killer.close()
    }

    @Test func largeRowsUseContinuationPackets() async throws {
        let connection = try await WireRealServer.connect()
        let limit = try await connection.query("SELECT @@max_allowed_packet").rows.first?[0].flatMap(Int.init) ?? 0
        guard limit > 0x100_0000 + 1024 else {
            // The server cannot send a row over 16 MiB (max_allowed_packet); the decoder tests cover this.
            await connection.close()
            return
        }
        let length = 0xFF_FFFF + 100
        // Over the default limit: rejected, and the connection is closed.
        await #expect {
            _ = try await connection.query("SELECT REPEAT('x', \(length))")
        } throws: { ($0 as? MySQLError)?.code == .packetTooLarge }
        await connection.close()

        var configuration = WireRealServer.configuration()
        configuration.maxPacketSize = 32 * 1024 * 1024
        let large = try await WireRealServer.connect(configuration)
        let result = try await large.query("SELECT REPEAT('x', \(length)), 'after'")
        #expect(result.rows.first?[0]?.utf8.count == length)
        #expect(result.rows.first?[1] == "after")
        await large.close()
    }

    @Test(.enabled(if: WireRealServer.tlsEnabled, "set BATON_TEST_MYSQL_TLS=1"))
    func tlsWithoutVerification() async throws {
        let connection = try await WireRealServer.connect(
            WireRealServer.configuration(tls: MySQLTLSConfiguration(mode: .required, verification: .none))
        )
        #expect(connection.isTLS)
        let cipher = try await connection.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        #expect(cipher.rows.first?["Value"]?.isEmpty == false)
        await connection.close()
    }

    @Test(.enabled(if: WireRealServer.tlsEnabled && WireRealServer.caFile != nil, "set BATON_TEST_MYSQL_CA"))
    func tlsVerifiedWithCAFile() async throws {
        let tls = MySQLTLSConfiguration(mode: .required, verification: .caOnly, caFile: WireRealServer.caFile)
        let connection = try await WireRealServer.connect(WireRealServer.configuration(tls: tls))
        #expect(connection.isTLS)
        await connection.close()
    }
}
