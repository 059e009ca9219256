import BatonCore
import Testing

@Suite struct ServerVersionTests {
    @Test func mariaDB() throws {
        let version = try #require(ServerVersion(parsing: "10.11.6-MariaDB-0+deb12u1-log"))
        #expect(version.flavor == .mariadb)
        #expect((version.major, version.minor, version.patch) == (10, 11, 6))
        #expect(!version.usesReplicaStatements)
    }

    @Test(arguments: [
        ("5.7.44-log", false), ("8.0.21", false), ("8.0.22", true), ("8.0.36", true), ("8.4.2", true), ("9.1.0", true),
    ])
    func mysqlReplicaStatements(raw: String, expected: Bool) throws {
        let version = try #require(ServerVersion(parsing: raw))
        #expect(version.flavor == .mysql)
        #expect(version.usesReplicaStatements == expected)
    }

    @Test func perconaFromComment() throws {
        let version = try #require(ServerVersion(parsing: "8.0.35-27", comment: "Percona Server (GPL), Release 27"))
        #expect(version.flavor == .percona)
    }

    @Test func rejectsGarbage() {
        #expect(ServerVersion(parsing: "garbage") == nil)
        #expect(ServerVersion(parsing: "") == nil)
    }
}
