import BatonCore
import Foundation
import GRDB

/// The tables every Raft node must hold identically: what operators decided and what recoveries did. A Raft
/// snapshot is these tables; restoring one replaces them. (Instance facts, the changelog and blocked recoveries are
/// each node's own observations and are not replicated; the list of watched instances and the failure detections —
/// registered by the leader — are.)
///
/// Rows keep their ids (Raft log indexes), so a node restored from a snapshot numbers them as every other node does.
/// Version 2: recoveries carry `executingAt` and `confirmationDocument`.
public struct ReplicatedState: Codable, Sendable, Equatable {
    public var version = 2
    public var downtimes: [Downtime]
    public var downtimeStarts: [Date]
    public var candidates: [CandidateRegistration]
    public var settings: [String: String]
    public var recoveries: [RecoveryRecord]
    public var steps: [RecoveryStepRecord]
    public var detections: [FailureDetectionRecord] = []
    /// The instances operators asked Baton to watch (or that it found), by key.
    public var instances: [InstanceKey]

    public init(
        downtimes: [Downtime] = [], downtimeStarts: [Date] = [], candidates: [CandidateRegistration] = [],
        settings: [String: String] = [:], recoveries: [RecoveryRecord] = [], steps: [RecoveryStepRecord] = [],
        instances: [InstanceKey] = [], detections: [FailureDetectionRecord] = []
    ) {
        self.detections = detections
        self.downtimes = downtimes
        self.downtimeStarts = downtimeStarts
        self.candidates = candidates
        self.settings = settings
        self.recoveries = recoveries
        self.steps = steps
        self.instances = instances
    }
}

extension BatonDatabase {
    /// The replicated tables as they are now.
    public func replicatedState() throws(StoreError) -> ReplicatedState {
        do {
            return try writer.read { db in
                let downtimeRows = try Row.fetchAll(db, sql: "SELECT * FROM downtime ORDER BY hostname, port")
                let candidates = try Row.fetchAll(db, sql: "SELECT * FROM candidate ORDER BY hostname, port").compactMap {
                    row -> CandidateRegistration? in
                    guard let rule = PromotionRule(rawValue: row["promotion_rule"]) else { return nil }
                    return CandidateRegistration(
                        key: InstanceKey(hostname: row["hostname"], port: row["port"]), rule: rule,
                        registeredAt: Date(timeIntervalSince1970: row["registered_at"]),
                        expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
                }
                var settings: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT name, value FROM global_setting") {
                    settings[row["name"]] = row["value"]
                }
                return ReplicatedState(
                    downtimes: downtimeRows.map { row in
                        Downtime(
                            key: InstanceKey(hostname: row["hostname"], port: row["port"]), owner: row["owner"],
                            reason: row["reason"], endsAt: Date(timeIntervalSince1970: row["ends_at"]))
                    },
                    downtimeStarts: downtimeRows.map { Date(timeIntervalSince1970: $0["begins_at"]) },
                    candidates: candidates, settings: settings,
                    recoveries: try Row.fetchAll(db, sql: "SELECT * FROM topology_recovery ORDER BY id").map(Self.recovery),
                    steps: try Row.fetchAll(db, sql: "SELECT * FROM topology_recovery_step ORDER BY id").map { row in
                        RecoveryStepRecord(
                            id: row["id"], recoveryUID: row["recovery_uid"],
                            at: Date(timeIntervalSince1970: row["audit_at"]), message: row["message"])
                    },
                    instances: try Row.fetchAll(db, sql: "SELECT hostname, port FROM instance ORDER BY hostname, port").map {
                        InstanceKey(hostname: $0["hostname"], port: $0["port"])
                    },
                    detections: try Row.fetchAll(db, sql: "SELECT * FROM failure_detection ORDER BY id").map { row in
                        FailureDetectionRecord(
                            id: row["id"], key: InstanceKey(hostname: row["hostname"], port: row["port"]),
                            clusterName: row["cluster_name"], analysis: try row.analysisCode(),
                            detectedAt: Date(timeIntervalSince1970: row["detected_at"]),
                            endsActivePeriod: Date(timeIntervalSince1970: row["ends_active_period"]),
                            document: row["document"])
                    })
            }
        } catch {
            throw StoreError(.readFailed, "cannot read the replicated state", underlying: error)
        }
    }

    /// Replaces the replicated tables with `state`, in one transaction. Instances are not touched: the caller
    /// discovers `state.instances` (and forgets the others) through its monitor.
    public func restoreReplicatedState(_ state: ReplicatedState) throws(StoreError) {
        do {
            try writer.write { db in
                try Self.clearReplicated(db)
                for (index, downtime) in state.downtimes.enumerated() {
                    let begins = index < state.downtimeStarts.count ? state.downtimeStarts[index] : downtime.endsAt
                    try db.execute(
                        sql: "INSERT INTO downtime (hostname, port, owner, reason, begins_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [
                            downtime.key.hostname, downtime.key.port, downtime.owner, downtime.reason,
                            begins.timeIntervalSince1970, downtime.endsAt.timeIntervalSince1970,
                        ])
                }
                for candidate in state.candidates {
                    try db.execute(
                        sql: "INSERT INTO candidate (hostname, port, promotion_rule, registered_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            candidate.key.hostname, candidate.key.port, candidate.rule.rawValue,
                            candidate.registeredAt.timeIntervalSince1970, candidate.expiresAt.timeIntervalSince1970,
                        ])
                }
                for (name, value) in state.settings.sorted(by: { $0.key < $1.key }) {
                    try db.execute(sql: "INSERT INTO global_setting (name, value) VALUES (?, ?)", arguments: [name, value])
                }
                for record in state.recoveries {
                    try Self.insert(record, db)
                }
                for detection in state.detections {
                    try db.execute(
                        sql: """
                            INSERT INTO failure_detection
                              (id, hostname, port, cluster_name, analysis, detected_at, ends_active_period, document)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            detection.id, detection.key.hostname, detection.key.port, detection.clusterName,
                            detection.analysis.rawValue, detection.detectedAt.timeIntervalSince1970,
                            detection.endsActivePeriod.timeIntervalSince1970, detection.document,
                        ])
                }
                for step in state.steps {
                    try db.execute(
                        sql: "INSERT INTO topology_recovery_step (id, recovery_uid, audit_at, message) VALUES (?, ?, ?, ?)",
                        arguments: [step.id, step.recoveryUID, step.at.timeIntervalSince1970, step.message])
                }
            }
        } catch {
            throw StoreError(.writeFailed, "cannot restore the replicated state", underlying: error)
        }
    }

    /// Empties the replicated tables. A Raft node does this before it starts: its snapshot and log rebuild them,
    /// so that no command is ever applied twice.
    public func clearReplicatedState() throws(StoreError) {
        do {
            try writer.write { db in try Self.clearReplicated(db) }
        } catch {
            throw StoreError(.writeFailed, "cannot clear the replicated state", underlying: error)
        }
    }

    static func clearReplicated(_ db: Database) throws {
        for table in [
            "downtime", "candidate", "global_setting", "topology_recovery", "topology_recovery_step", "failure_detection",
        ] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
    }
}
