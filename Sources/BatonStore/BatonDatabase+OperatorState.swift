import BatonCore
import Foundation
import GRDB

extension BatonDatabase {
    /// Starts (or replaces) the downtime of an instance.
    public func saveDowntime(_ downtime: Downtime, beginsAt: Date) throws(StoreError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO downtime (hostname, port, owner, reason, begins_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT(hostname, port) DO UPDATE SET owner = excluded.owner, reason = excluded.reason,
                          begins_at = excluded.begins_at, ends_at = excluded.ends_at
                        """,
                    arguments: [
                        downtime.key.hostname, downtime.key.port, downtime.owner, downtime.reason,
                        beginsAt.timeIntervalSince1970, downtime.endsAt.timeIntervalSince1970,
                    ])
            }
        } catch {
            throw StoreError(.writeFailed, "cannot save the downtime of \(downtime.key)", underlying: error)
        }
    }

    /// Ends an instance's downtime; returns false when it had none.
    public func deleteDowntime(_ key: InstanceKey) throws(StoreError) -> Bool {
        do {
            return try writer.write { db in
                try db.execute(
                    sql: "DELETE FROM downtime WHERE hostname = ? AND port = ?", arguments: [key.hostname, key.port])
                return db.changesCount > 0
            }
        } catch {
            throw StoreError(.writeFailed, "cannot end the downtime of \(key)", underlying: error)
        }
    }

    /// Every stored downtime, expired ones included (callers filter by time).
    public func loadDowntimes() throws(StoreError) -> [Downtime] {
        do {
            return try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM downtime ORDER BY hostname, port").map { row in
                    Downtime(
                        key: InstanceKey(hostname: row["hostname"], port: row["port"]), owner: row["owner"],
                        reason: row["reason"], endsAt: Date(timeIntervalSince1970: row["ends_at"]))
                }
            }
        } catch {
            throw StoreError(.readFailed, "cannot read downtimes", underlying: error)
        }
    }

    public func saveCandidate(_ registration: CandidateRegistration) throws(StoreError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO candidate (hostname, port, promotion_rule, registered_at, expires_at)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(hostname, port) DO UPDATE SET promotion_rule = excluded.promotion_rule,
                          registered_at = excluded.registered_at, expires_at = excluded.expires_at
                        """,
                    arguments: [
                        registration.key.hostname, registration.key.port, registration.rule.rawValue,
                        registration.registeredAt.timeIntervalSince1970, registration.expiresAt.timeIntervalSince1970,
                    ])
            }
        } catch {
            throw StoreError(.writeFailed, "cannot register candidate \(registration.key)", underlying: error)
        }
    }

    /// Every stored registration; one whose rule is unreadable is skipped.
    public func loadCandidates() throws(StoreError) -> [CandidateRegistration] {
        do {
            return try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM candidate ORDER BY hostname, port").compactMap { row in
                    guard let rule = PromotionRule(rawValue: row["promotion_rule"]) else { return nil }
                    return CandidateRegistration(
                        key: InstanceKey(hostname: row["hostname"], port: row["port"]), rule: rule,
                        registeredAt: Date(timeIntervalSince1970: row["registered_at"]),
                        expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
                }
            }
        } catch {
            throw StoreError(.readFailed, "cannot read candidate registrations", underlying: error)
        }
    }

    public func saveSetting(_ name: String, _ value: String) throws(StoreError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: "INSERT INTO global_setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    arguments: [name, value])
            }
        } catch {
            throw StoreError(.writeFailed, "cannot save setting \(name)", underlying: error)
        }
    }

    public func loadSetting(_ name: String) throws(StoreError) -> String? {
        do {
            return try writer.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM global_setting WHERE name = ?", arguments: [name])
            }
        } catch {
            throw StoreError(.readFailed, "cannot read setting \(name)", underlying: error)
        }
    }
}
