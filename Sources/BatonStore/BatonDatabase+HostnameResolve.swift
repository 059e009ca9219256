import Foundation
import GRDB

extension BatonDatabase {
    /// Records that `hostname` resolves to `resolved` (e.g. an IP address seen in `Master_Host` to the server's
    /// `@@hostname`), so later references through the unresolved name reach the same instance.
    public func saveHostnameResolution(_ hostname: String, to resolved: String, at date: Date) throws(StoreError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO hostname_resolve (hostname, resolved_hostname, resolved_at) VALUES (?, ?, ?)
                        ON CONFLICT(hostname) DO UPDATE SET
                          resolved_hostname = excluded.resolved_hostname, resolved_at = excluded.resolved_at
                        """, arguments: [hostname, resolved, date.timeIntervalSince1970])
            }
        } catch {
            throw StoreError(.writeFailed, "cannot save hostname resolution of \(hostname)", underlying: error)
        }
    }

    /// All recorded resolutions, unresolved name → resolved name.
    public func loadHostnameResolutions() throws(StoreError) -> [String: String] {
        do {
            return try writer.read { db in
                var map: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT hostname, resolved_hostname FROM hostname_resolve") {
                    map[row["hostname"]] = row["resolved_hostname"]
                }
                return map
            }
        } catch {
            throw StoreError(.readFailed, "cannot load hostname resolutions", underlying: error)
        }
    }
}
