import BatonCore
import Foundation
import GRDB

extension BatonDatabase {
    /// Registers a detection unless one for the same instance is still active; returns the active one either way.
    /// The row's id is `detection.id` (the Raft log index of the registering entry); when that is 0 (a single
    /// node), the largest id + 1.
    public func registerDetection(_ detection: FailureDetectionRecord) throws(StoreError) -> (
        record: FailureDetectionRecord, isNew: Bool
    ) {
        do {
            return try writer.write { db in
                if let active = try Self.activeDetection(db, key: detection.key, at: detection.detectedAt) {
                    return (active, false)
                }
                var stored = detection
                stored.id = try Self.rowID(detection.id, in: "failure_detection", db)
                try db.execute(
                    sql: """
                        INSERT INTO failure_detection
                          (id, hostname, port, cluster_name, analysis, detected_at, ends_active_period, document)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        stored.id, detection.key.hostname, detection.key.port, detection.clusterName, detection.analysis.rawValue,
                        detection.detectedAt.timeIntervalSince1970, detection.endsActivePeriod.timeIntervalSince1970,
                        detection.document,
                    ])
                return (stored, true)
            }
        } catch {
            throw StoreError(.writeFailed, "cannot register a failure detection of \(detection.key)", underlying: error)
        }
    }

    /// Detections, newest first, `limit` per page.
    public func failureDetections(page: Int = 0, limit: Int = 20) throws(StoreError) -> [FailureDetectionRecord] {
        do {
            return try writer.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM failure_detection ORDER BY id DESC LIMIT ? OFFSET ?",
                    arguments: [limit, Self.offset(page: page, limit: limit)]
                ).map(Self.detection)
            }
        } catch {
            throw StoreError(.readFailed, "cannot read failure detections", underlying: error)
        }
    }

    /// One detection by id.
    public func failureDetection(id: Int64) throws(StoreError) -> FailureDetectionRecord? {
        do {
            return try writer.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM failure_detection WHERE id = ?", arguments: [id]).map(Self.detection)
            }
        } catch {
            throw StoreError(.readFailed, "cannot read failure detection \(id)", underlying: error)
        }
    }

    /// Appends analysis changes to the changelog.
    public func appendAnalysisChanges(_ changes: [AnalysisChange]) throws(StoreError) {
        guard !changes.isEmpty else { return }
        do {
            try writer.write { db in
                for change in changes {
                    try db.execute(
                        sql: "INSERT INTO analysis_changelog (hostname, port, analysis, changed_at) VALUES (?, ?, ?, ?)",
                        arguments: [
                            change.key.hostname, change.key.port, change.analysis.rawValue, change.changedAt.timeIntervalSince1970,
                        ])
                }
            }
        } catch {
            throw StoreError(.writeFailed, "cannot append \(changes.count) analysis change(s)", underlying: error)
        }
    }

    /// The most recent changes, oldest first within each instance, at most `perInstance` each.
    public func analysisChangelog(perInstance: Int = 20) throws(StoreError) -> [InstanceKey: [AnalysisChange]] {
        do {
            return try writer.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT hostname, port, analysis, changed_at FROM (
                          SELECT *, ROW_NUMBER() OVER (PARTITION BY hostname, port ORDER BY id DESC) AS n
                          FROM analysis_changelog)
                        WHERE n <= ? ORDER BY id
                        """, arguments: [perInstance])
                var byKey: [InstanceKey: [AnalysisChange]] = [:]
                for row in rows {
                    let key = InstanceKey(hostname: row["hostname"], port: row["port"])
                    byKey[key, default: []].append(
                        AnalysisChange(
                            key: key, analysis: try row.analysisCode(),
                            changedAt: Date(timeIntervalSince1970: row["changed_at"])))
                }
                return byKey
            }
        } catch {
            throw StoreError(.readFailed, "cannot read the analysis changelog", underlying: error)
        }
    }

    /// The detection of `key` still in its active period at `date`, if any.
    public func activeDetection(of key: InstanceKey, at date: Date) throws(StoreError) -> FailureDetectionRecord? {
        do {
            return try writer.read { db in try Self.activeDetection(db, key: key, at: date) }
        } catch {
            throw StoreError(.readFailed, "cannot read the detection of \(key)", underlying: error)
        }
    }

    private static func activeDetection(_ db: Database, key: InstanceKey, at date: Date) throws -> FailureDetectionRecord? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT * FROM failure_detection WHERE hostname = ? AND port = ? AND ends_active_period > ?
                ORDER BY id DESC LIMIT 1
                """, arguments: [key.hostname, key.port, date.timeIntervalSince1970]
        ).map { try detection($0) }
    }

    private static func detection(_ row: Row) throws -> FailureDetectionRecord {
        FailureDetectionRecord(
            id: row["id"], key: InstanceKey(hostname: row["hostname"], port: row["port"]),
            clusterName: row["cluster_name"], analysis: try row.analysisCode(),
            detectedAt: Date(timeIntervalSince1970: row["detected_at"]),
            endsActivePeriod: Date(timeIntervalSince1970: row["ends_active_period"]), document: row["document"])
    }
}
