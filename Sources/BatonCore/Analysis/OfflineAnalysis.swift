import Foundation

/// `baton analyze --snapshot FILE`: failure analysis of a saved topology, without a server.
///
/// The snapshot is a JSON array of Instance objects exactly as `GET /api/all-instances` returns them, so a live
/// topology can be saved, replayed and edited by hand to ask "what if". Decoding, conversion
/// (`AnalysisSnapshot.fromDocuments`), analysis (`ReplicationAnalyzer`) and rendering are pure.
public enum OfflineAnalysis {
    /// Decodes, analyses and renders a snapshot.
    /// - Parameters:
    ///   - snapshotJSON: the file's contents.
    ///   - includeDowntimed: text mode also lists rows that are skippable because of downtime.
    ///   - json: render the full `ReplicationAnalysis` array (every row) instead of text lines.
    ///   - now: the moment of analysis; only downtime expiry depends on it (check validity comes from each
    ///     document's `IsLastCheckValid`).
    ///   - staleBinlogSince: when primaries' binary log coordinates were first seen standing still (see
    ///     `AnalysisSnapshot.staleBinlogSince`). Instance documents do not carry it, so the CLI passes none.
    /// - Returns: text lines (see `text(_:includeDowntimed:)`) or pretty-printed JSON, each ending with a newline.
    /// - Throws: `OfflineAnalysisError` for a file that is not JSON, not an array of Instance objects, or whose
    ///   documents do not form a consistent topology.
    public static func run(
        snapshotJSON: Data, includeDowntimed: Bool, json: Bool, now: Date, settings: AnalysisSettings = .init(),
        staleBinlogSince: [InstanceKey: Date] = [:]
    ) throws(OfflineAnalysisError) -> String {
        let documents = try decodeDocuments(snapshotJSON)
        let snapshot: AnalysisSnapshot
        do {
            snapshot = try .fromDocuments(
                documents, now: now, settings: settings, staleBinlogSince: staleBinlogSince)
        } catch {
            throw OfflineAnalysisError(error)
        }
        let rows = ReplicationAnalyzer.analyze(snapshot)
        return json ? try self.json(rows) : text(rows, includeDowntimed: includeDowntimed)
    }

    /// orchestrator-client's `replication-analysis` output: one `summaryLine` per row that has a problem or a
    /// structure warning, sorted by instance key, each ending with a newline; empty when there is none. Rows
    /// skippable because of downtime are left out unless `includeDowntimed`.
    public static func text(_ rows: [ReplicationAnalysis], includeDowntimed: Bool) -> String {
        rows
            .filter { $0.hasProblemOrWarning && (includeDowntimed || !$0.skippableDueToDowntime) }
            .sorted {
                ($0.analyzedInstanceKey, $0.clusterDetails.clusterName)
                    < ($1.analyzedInstanceKey, $1.clusterDetails.clusterName)
            }
            .map { $0.summaryLine + "\n" }
            .joined()
    }

    /// Every row, pretty-printed with sorted keys, followed by a newline.
    public static func json(_ rows: [ReplicationAnalysis]) throws(OfflineAnalysisError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n"
        } catch {
            throw OfflineAnalysisError(
                code: .encodingFailed, message: "cannot encode the analysis as JSON: \(error)", underlying: error)
        }
    }
}
