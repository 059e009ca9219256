import BatonCore
import BatonMySQL
import BatonTestSupport
import Testing

/// The wire protocol of a simulated server, spoken by Baton's own client.
@Suite struct SimulatedServerHandlerTests {
    static let one = try! FleetTopology.generated(clusters: 1, replicasPerCluster: 1, flavor: .mariadb)

    @Test func handshakeAuthenticationQueryPingAndQuit() async throws {
        try await SimulatedFleet.with(Self.one) { fleet in
            let key = try #require(fleet.key("c0001-p"))
            let connection = try await FleetClient.connect(key)
            #expect(connection.serverVersion == "10.11.9-MariaDB-log")
            try await connection.ping()
            let result = try await connection.query("SELECT @@server_id, @@read_only, 1")
            #expect(result.columnNames == ["@@server_id", "@@read_only", "1"])
            #expect(result.rows.first?.values == ["1", "0", "1"])
            await connection.close()
        }
    }

    @Test func wrongPasswordIsAccessDenied() async throws {
        try await SimulatedFleet.with(Self.one) { fleet in
            let key = try #require(fleet.key("c0001-p"))
            let error = try await #require(throws: MySQLError.self) {
                try await FleetClient.connect(key, password: "wrong")
            }
            #expect(error.code == .authenticationFailed)
            #expect(error.serverErrorNumber == 1045)
            #expect(error.message.contains("Access denied for user 'baton'"))
        }
    }

    @Test func unknownStatementsAreSyntaxErrorsAndTheConnectionStaysUsable() async throws {
        try await SimulatedFleet.with(Self.one) { fleet in
            let connection = try await FleetClient.connect(try #require(fleet.key("c0001-p")))
            let error = try await #require(throws: MySQLError.self) { try await connection.query("FROBNICATE THE DATABASE") }
            #expect(error.code == .serverError)
            #expect(error.serverErrorNumber == 1064)
            #expect(error.sqlState == "42000")
            #expect(try await connection.query("SELECT 1").rows.count == 1)
            await connection.close()
        }
    }
}
