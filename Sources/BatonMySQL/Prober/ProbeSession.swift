/// What the prober needs from a connection: run one statement and get its rows.
///
/// `MySQLConnection` is the production session; tests can answer from canned rows.
public protocol ProbeSession: Sendable {
    func rows(_ sql: String) async throws -> [ProbeRow]
}
