import BatonCore
import Foundation
import GRDB

extension BatonDatabase {
    /// Inserts or replaces `instances` in a single transaction.
    public func saveInstances(_ instances: [Instance]) throws(StoreError) {
        guard !instances.isEmpty else { return }
        let encoder = JSONEncoder()
        do {
            try writer.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO instance
                          (hostname, port, cluster_name, last_attempted, last_checked, last_seen, document)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(hostname, port) DO UPDATE SET
                          cluster_name = excluded.cluster_name, last_attempted = excluded.last_attempted,
                          last_checked = excluded.last_checked, last_seen = excluded.last_seen,
                          document = excluded.document
                        """)
                for instance in instances {
                    let document = try encoder.encode(instance)
                    try statement.execute(arguments: [
                        instance.key.hostname, instance.key.port, instance.clusterName,
                        instance.lastAttempted?.timeIntervalSince1970, instance.lastChecked?.timeIntervalSince1970,
                        instance.lastSeen?.timeIntervalSince1970, document,
                    ])
                }
            }
        } catch {
            throw StoreError(.writeFailed, "cannot save \(instances.count) instance(s)", underlying: error)
        }
    }

    /// Removes instances; unknown keys are ignored.
    public func deleteInstances(_ keys: [InstanceKey]) throws(StoreError) {
        do {
            try writer.write { db in
                for key in keys {
                    try db.execute(
                        sql: "DELETE FROM instance WHERE hostname = ? AND port = ?",
                        arguments: [key.hostname, key.port])
                }
            }
        } catch {
            throw StoreError(.writeFailed, "cannot delete \(keys.count) instance(s)", underlying: error)
        }
    }

    /// Every stored instance, ordered by key. A record that cannot be decoded is skipped and reported in
    /// `corrupt` rather than failing the whole load, so one bad row never keeps the daemon from starting.
    public func loadInstances() throws(StoreError) -> (instances: [Instance], corrupt: [InstanceKey]) {
        do {
            return try writer.read { db in
                let decoder = JSONDecoder()
                var instances: [Instance] = []
                var corrupt: [InstanceKey] = []
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT hostname, port, document FROM instance ORDER BY hostname, port")
                while let row = try rows.next() {
                    let key = InstanceKey(hostname: row["hostname"], port: row["port"])
                    let data: Data = row["document"]
                    if let instance = try? decoder.decode(Instance.self, from: data), instance.key == key {
                        instances.append(instance)
                    } else {
                        corrupt.append(key)
                    }
                }
                return (instances, corrupt)
            }
        } catch {
            throw StoreError(.readFailed, "cannot load instances", underlying: error)
        }
    }

    /// The number of stored instances.
    public func instanceCount() throws(StoreError) -> Int {
        do {
            return try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instance") ?? 0 }
        } catch {
            throw StoreError(.readFailed, "cannot count instances", underlying: error)
        }
    }
}
