import BatonCore
import Foundation
import GRDB

/// Baton's local SQLite database (one per node, never shared): known instances and hostname resolutions.
///
/// Opened in WAL mode so the API reads while probes write. Writes are batched by the caller
/// (`saveInstances` writes any number of instances in one transaction).
public final class BatonDatabase: Sendable {
    let writer: any DatabaseWriter
    /// Where the database lives; `nil` for an in-memory database.
    public let path: String?

    /// Opens (creating if needed) the database file at `path`, including its directory, and migrates it.
    public init(path: String) throws(StoreError) {
        self.path = path
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA busy_timeout = 5000")
            }
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(.openFailed, "cannot open SQLite database at \(path)", underlying: error)
        }
        try migrate()
    }

    /// An in-memory database, for tests and `baton analyze`.
    public init() throws(StoreError) {
        path = nil
        do {
            writer = try DatabaseQueue()
        } catch {
            throw StoreError(.openFailed, "cannot open in-memory SQLite database", underlying: error)
        }
        try migrate()
    }

    private func migrate() throws(StoreError) {
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(.migrationFailed, "cannot migrate the database schema", underlying: error)
        }
    }

    /// The journal mode in effect (`wal` for a file database).
    public func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

extension BatonDatabase {
    /// The OFFSET of page `page` (from 0) of `limit` rows. Pages come from API paths: a negative page is the first,
    /// and a page so far out that the offset does not fit in an Int is past every row, not an arithmetic trap.
    static func offset(page: Int, limit: Int) -> Int {
        let (offset, overflow) = max(0, page).multipliedReportingOverflow(by: max(0, limit))
        return overflow ? Int.max : offset
    }
}
