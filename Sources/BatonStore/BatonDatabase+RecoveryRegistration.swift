import BatonCore
import Foundation
import GRDB

extension BatonDatabase {
    /// The result of trying to register a recovery.
    public enum RecoveryRegistration: Sendable, Equatable {
        case registered(RecoveryRecord)
        /// Another recovery of the same cluster is still running.
        case clusterLocked(by: RecoveryRecord)
        /// The registration rules refused it (the global switch, a downtime, anti-flapping); `blocking` is the
        /// recovery in the way, when one is.
        case refused(reason: String, blocking: RecoveryRecord?)
    }

    /// The `global_setting` that holds the global recovery switch (`enabled` / `disabled`).
    public static let recoveriesSwitchSetting = "global_recoveries"

    /// Registers a recovery unless one of the same cluster is still running or `rules` refuse it — checked and
    /// written in one transaction, from the stored state and `recovery.startedAt` only, so two callers can never
    /// both win and every Raft node decides alike. This is the per-cluster lock.
    ///
    /// The row's id is `recovery.id` (the Raft log index of the registering entry); when that is 0 (a single node),
    /// the largest id + 1.
    /// - Parameter rules: the default checks only the lock (as a manual recovery is checked).
    public func registerRecovery(
        _ recovery: RecoveryRecord, rules: RegistrationRules = RegistrationRules(isManual: true, blockSeconds: 0)
    ) throws(StoreError) -> RecoveryRegistration {
        do {
            return try writer.write { db in
                if let running = try Row.fetchOne(
                    db, sql: "SELECT * FROM topology_recovery WHERE cluster_name = ? AND ended_at IS NULL ORDER BY id LIMIT 1",
                    arguments: [recovery.clusterName])
                {
                    return .clusterLocked(by: try Self.recovery(running))
                }
                if let same = try Row.fetchOne(
                    db, sql: "SELECT * FROM topology_recovery WHERE uid = ?", arguments: [recovery.uid])
                {
                    return .refused(reason: "recovery \(recovery.uid) is registered already", blocking: try Self.recovery(same))
                }
                let recent = try Self.recentRecoveries(
                    db, cluster: recovery.clusterName, successor: recovery.failedKey,
                    endedAfter: recovery.startedAt.addingTimeInterval(-rules.blockSeconds))
                let facts = RegistrationRules.Facts(
                    recoveriesEnabled: try String.fetchOne(
                        db, sql: "SELECT value FROM global_setting WHERE name = ?",
                        arguments: [Self.recoveriesSwitchSetting]) != "disabled",
                    downtimes: try Self.downtimes(db, of: recovery.failedKey), recoveries: recent)
                if case .refused(let reason, let blocking) = rules.check(recovery, facts) {
                    return .refused(reason: reason, blocking: recent.first { $0.id == blocking })
                }
                var stored = recovery
                stored.id = try Self.rowID(recovery.id, in: "topology_recovery", db)
                try Self.insert(stored, db)
                return .registered(stored)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.writeFailed, "cannot register a recovery of \(recovery.failedKey)", underlying: error)
        }
    }

    /// Records how a running recovery ended; this releases its cluster's lock. A recovery that has ended already
    /// keeps its resolution (a new leader resolving it as interrupted must not overwrite what its runner stored).
    /// - Returns: whether a running recovery was resolved.
    @discardableResult
    public func resolveRecovery(uid: String, _ resolution: RecoveryResolution) throws(StoreError) -> Bool {
        do {
            return try writer.write { db in
                try db.execute(
                    sql: """
                        UPDATE topology_recovery SET ended_at = ?, attempted = ?, is_successful = ?,
                          successor_hostname = ?, successor_port = ?, successor_alias = ?, lost_replicas = ?,
                          participating_instances = ?, all_errors = ?
                        WHERE uid = ? AND ended_at IS NULL
                        """,
                    arguments: [
                        resolution.endedAt.timeIntervalSince1970, resolution.attempted, resolution.isSuccessful,
                        resolution.successor?.hostname, resolution.successor?.port, resolution.successorAlias,
                        Self.json(resolution.lostReplicas.map(\.description)),
                        Self.json(resolution.participatingInstances.map(\.description)), Self.json(resolution.errors),
                        uid,
                    ])
                return db.changesCount == 1
            }
        } catch {
            throw StoreError(.writeFailed, "cannot resolve recovery \(uid)", underlying: error)
        }
    }

    /// Marks a running recovery as about to change servers (the first mark is kept).
    /// - Returns: whether the recovery was running (false: unknown, or resolved already — say, as interrupted).
    public func markRecoveryExecuting(uid: String, at: Date) throws(StoreError) -> Bool {
        do {
            return try writer.write { db in
                try db.execute(
                    sql: """
                        UPDATE topology_recovery SET executing_at = COALESCE(executing_at, ?)
                        WHERE uid = ? AND ended_at IS NULL
                        """,
                    arguments: [at.timeIntervalSince1970, uid])
                return db.changesCount == 1
            }
        } catch {
            throw StoreError(.writeFailed, "cannot mark recovery \(uid) as executing", underlying: error)
        }
    }

    // MARK: - Rows

    /// `id` when it is set (a Raft log index), else the table's largest id + 1 — read in the caller's transaction,
    /// so SQLite's own numbering (`sqlite_sequence`) never decides an id.
    static func rowID(_ id: Int64, in table: String, _ db: Database) throws -> Int64 {
        guard id <= 0 else { return id }
        return (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM \(table)") ?? 0) + 1
    }

    /// Inserts every column of `record`, its id included.
    static func insert(_ record: RecoveryRecord, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO topology_recovery
                  (id, uid, hostname, port, cluster_name, cluster_alias, analysis, recovery_kind, command,
                   processing_node, started_at, executing_at, ended_at, attempted, is_successful, successor_hostname,
                   successor_port, successor_alias, lost_replicas, participating_instances, all_errors, acknowledged,
                   acknowledged_at, acknowledged_by, acknowledged_comment, last_detection_id, policy_hash,
                   analysis_document, confirmation_document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.id, record.uid, record.failedKey.hostname, record.failedKey.port, record.clusterName,
                record.clusterAlias, record.analysis.rawValue, record.kind.rawValue, record.command,
                record.processingNode, record.startedAt.timeIntervalSince1970, record.executingAt?.timeIntervalSince1970,
                record.endedAt?.timeIntervalSince1970, record.attempted, record.isSuccessful, record.successor?.hostname,
                record.successor?.port, record.successorAlias, Self.json(record.lostReplicas.map(\.description)),
                Self.json(record.participatingInstances.map(\.description)), Self.json(record.errors),
                record.acknowledged, record.acknowledgedAt?.timeIntervalSince1970, record.acknowledgedBy,
                record.acknowledgedComment, record.lastDetectionID, record.policyHash, record.analysisDocument,
                record.confirmationDocument,
            ])
    }

    static func downtimes(_ db: Database, of key: InstanceKey) throws -> [Downtime] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM downtime WHERE hostname = ? AND port = ?", arguments: [key.hostname, key.port]
        ).map { row in
            Downtime(
                key: InstanceKey(hostname: row["hostname"], port: row["port"]), owner: row["owner"],
                reason: row["reason"], endsAt: Date(timeIntervalSince1970: row["ends_at"]))
        }
    }
}
