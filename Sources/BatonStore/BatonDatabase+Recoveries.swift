import BatonCore
import Foundation
import GRDB

extension BatonDatabase {
    /// Appends one line to a recovery's audit trail, under `step.id` (a Raft log index), or when that is 0 under
    /// the largest id + 1.
    public func appendRecoveryStep(_ step: RecoveryStepRecord) throws(StoreError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: "INSERT INTO topology_recovery_step (id, recovery_uid, audit_at, message) VALUES (?, ?, ?, ?)",
                    arguments: [
                        try Self.rowID(step.id, in: "topology_recovery_step", db), step.recoveryUID,
                        step.at.timeIntervalSince1970, step.message,
                    ])
            }
        } catch {
            throw StoreError(.writeFailed, "cannot record a step of recovery \(step.recoveryUID)", underlying: error)
        }
    }

    /// Recoveries in `scope`, newest first. `unacknowledgedOnly` and `runningOnly` narrow the result.
    public func recoveries(
        _ scope: RecoveryScope = .all, unacknowledgedOnly: Bool = false, runningOnly: Bool = false,
        page: Int = 0, limit: Int = 20
    ) throws(StoreError) -> [RecoveryRecord] {
        var (condition, arguments) = Self.condition(scope)
        if unacknowledgedOnly { condition += " AND acknowledged = 0" }
        if runningOnly { condition += " AND ended_at IS NULL" }
        arguments += [limit, Self.offset(page: page, limit: limit)]
        do {
            return try writer.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM topology_recovery WHERE \(condition) ORDER BY id DESC LIMIT ? OFFSET ?",
                    arguments: StatementArguments(arguments)
                ).map(Self.recovery)
            }
        } catch {
            throw StoreError(.readFailed, "cannot read recoveries", underlying: error)
        }
    }

    /// The recoveries that can still matter to anti-flapping of `cluster` or of a failure of `successor`:
    /// running, or ended after `since`, of that cluster or that promoted `successor`.
    public func recentRecoveries(
        cluster: String, successor: InstanceKey? = nil, endedAfter since: Date
    ) throws(StoreError) -> [RecoveryRecord] {
        do {
            return try writer.read { db in
                try Self.recentRecoveries(db, cluster: cluster, successor: successor, endedAfter: since)
            }
        } catch {
            throw StoreError(.readFailed, "cannot read the recoveries of \(cluster)", underlying: error)
        }
    }

    static func recentRecoveries(
        _ db: Database, cluster: String, successor: InstanceKey?, endedAfter since: Date
    ) throws -> [RecoveryRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM topology_recovery
                WHERE (cluster_name = ? OR (successor_hostname = ? AND successor_port = ?))
                  AND (ended_at IS NULL OR ended_at > ?)
                ORDER BY id
                """,
            arguments: [cluster, successor?.hostname, successor?.port, since.timeIntervalSince1970]
        ).map(Self.recovery)
    }

    /// A recovery's audit trail, oldest first.
    public func recoverySteps(uid: String) throws(StoreError) -> [RecoveryStepRecord] {
        do {
            return try writer.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM topology_recovery_step WHERE recovery_uid = ? ORDER BY id", arguments: [uid]
                ).map { row in
                    RecoveryStepRecord(
                        id: row["id"], recoveryUID: row["recovery_uid"],
                        at: Date(timeIntervalSince1970: row["audit_at"]), message: row["message"])
                }
            }
        } catch {
            throw StoreError(.readFailed, "cannot read the steps of recovery \(uid)", underlying: error)
        }
    }

    /// Acknowledges the unacknowledged recoveries in `scope`; an acknowledged recovery no longer blocks its cluster.
    /// - Returns: how many were acknowledged.
    public func acknowledgeRecoveries(
        _ scope: RecoveryScope, by owner: String, comment: String, at: Date
    ) throws(StoreError) -> Int {
        let (condition, arguments) = Self.condition(scope)
        do {
            return try writer.write { db in
                try db.execute(
                    sql: """
                        UPDATE topology_recovery SET acknowledged = 1, acknowledged_at = ?, acknowledged_by = ?,
                          acknowledged_comment = ?
                        WHERE acknowledged = 0 AND \(condition)
                        """,
                    arguments: StatementArguments([at.timeIntervalSince1970, owner, comment] + arguments))
                return db.changesCount
            }
        } catch {
            throw StoreError(.writeFailed, "cannot acknowledge recoveries", underlying: error)
        }
    }

    /// Recoveries still marked running, of any node: after a crash these were interrupted.
    public func runningRecoveries() throws(StoreError) -> [RecoveryRecord] {
        try recoveries(runningOnly: true, limit: 10_000)
    }

    /// Records (or refreshes) a refused automatic recovery of `record.failedKey`.
    public func recordBlockedRecovery(_ record: BlockedRecoveryRecord) throws(StoreError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO blocked_recovery
                          (hostname, port, cluster_name, analysis, last_blocked_at, blocking_recovery_id, reason)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(hostname, port) DO UPDATE SET cluster_name = excluded.cluster_name,
                          analysis = excluded.analysis, last_blocked_at = excluded.last_blocked_at,
                          blocking_recovery_id = excluded.blocking_recovery_id, reason = excluded.reason
                        """,
                    arguments: [
                        record.failedKey.hostname, record.failedKey.port, record.clusterName, record.analysis.rawValue,
                        record.lastBlockedAt.timeIntervalSince1970, record.blockingRecoveryID, record.reason,
                    ])
            }
        } catch {
            throw StoreError(.writeFailed, "cannot record a blocked recovery of \(record.failedKey)", underlying: error)
        }
    }

    /// Refused recoveries seen since `since`, optionally of one cluster, newest first.
    public func blockedRecoveries(cluster: String? = nil, since: Date) throws(StoreError) -> [BlockedRecoveryRecord] {
        do {
            return try writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM blocked_recovery WHERE last_blocked_at >= ? AND (? IS NULL OR cluster_name = ?)
                        ORDER BY last_blocked_at DESC, hostname, port
                        """,
                    arguments: [since.timeIntervalSince1970, cluster, cluster]
                ).map { row in
                    BlockedRecoveryRecord(
                        failedKey: InstanceKey(hostname: row["hostname"], port: row["port"]),
                        clusterName: row["cluster_name"], analysis: try row.analysisCode(),
                        lastBlockedAt: Date(timeIntervalSince1970: row["last_blocked_at"]),
                        blockingRecoveryID: row["blocking_recovery_id"], reason: row["reason"])
                }
            }
        } catch {
            throw StoreError(.readFailed, "cannot read blocked recoveries", underlying: error)
        }
    }

    // MARK: - Row mapping

    static func condition(_ scope: RecoveryScope) -> (String, [(any DatabaseValueConvertible)?]) {
        switch scope {
        case .all: ("1 = 1", [])
        case .cluster(let name): ("(cluster_name = ? OR (cluster_alias = ? AND cluster_alias != ''))", [name, name])
        case .instance(let key): ("hostname = ? AND port = ?", [key.hostname, key.port])
        case .id(let id): ("id = ?", [id])
        case .uid(let uid): ("uid = ?", [uid])
        }
    }

    static func recovery(_ row: Row) throws -> RecoveryRecord {
        let kindText: String = row["recovery_kind"]
        guard let kind = RecoveryRecord.Kind(rawValue: kindText) else {
            throw StoreError(.corruptRecord, "recovery \(row["id"] as Int64? ?? 0) has an unknown kind \(kindText)")
        }
        var record = RecoveryRecord(
            id: row["id"], uid: row["uid"], failedKey: InstanceKey(hostname: row["hostname"], port: row["port"]),
            clusterName: row["cluster_name"], clusterAlias: row["cluster_alias"], analysis: try row.analysisCode(), kind: kind,
            command: row["command"], processingNode: row["processing_node"],
            startedAt: Date(timeIntervalSince1970: row["started_at"]), lastDetectionID: row["last_detection_id"],
            policyHash: row["policy_hash"], analysisDocument: row["analysis_document"])
        record.executingAt = (row["executing_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.endedAt = (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.attempted = row["attempted"]
        record.isSuccessful = row["is_successful"]
        if let host: String = row["successor_hostname"], let port: Int = row["successor_port"] {
            record.successor = InstanceKey(hostname: host, port: port)
        }
        record.successorAlias = row["successor_alias"]
        record.lostReplicas = keys(row["lost_replicas"])
        record.participatingInstances = keys(row["participating_instances"])
        record.errors = strings(row["all_errors"])
        record.acknowledged = row["acknowledged"]
        record.acknowledgedAt = (row["acknowledged_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        record.acknowledgedBy = row["acknowledged_by"]
        record.acknowledgedComment = row["acknowledged_comment"]
        record.confirmationDocument = row["confirmation_document"]
        return record
    }

    static func json(_ strings: [String]) -> String {
        (try? JSONEncoder().encode(strings)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func strings(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    static func keys(_ text: String) -> [InstanceKey] {
        strings(text).compactMap { InstanceKey(parsing: $0, defaultPort: 3306) }
    }
}
