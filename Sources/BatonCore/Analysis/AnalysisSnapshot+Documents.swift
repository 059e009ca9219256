import Foundation

extension AnalysisSnapshot {
    /// A snapshot from Instance documents exactly as `GET /api/all-instances` returns them, for
    /// `baton analyze --snapshot` and what-if analysis: converts each with `Instance(document:now:settings:)`, takes
    /// downtimes from `IsDowntimed`/`DowntimeEndTimestamp`, checks consistency and resolves the topology.
    /// - Throws: `SnapshotError` for an invalid key or timestamp, a duplicate key, or a replica whose source is
    ///   not in the snapshot (errors are reported for the first offending document, in file order).
    public static func fromDocuments(
        _ documents: [InstanceDocument], now: Date, settings: AnalysisSettings = AnalysisSettings(),
        staleBinlogSince: [InstanceKey: Date] = [:]
    ) throws(SnapshotError) -> AnalysisSnapshot {
        var instances: [Instance] = []
        var downtimes: [Downtime] = []
        var positions: [InstanceKey: Int] = [:]
        for (position, document) in documents.enumerated() {
            let instance = try Instance(document: document, now: now, settings: settings)
            if let earlier = positions[instance.key] {
                throw SnapshotError(
                    code: .duplicateKey, instance: instance.key,
                    message:
                        "\(instance.key) appears twice in the snapshot (entries \(earlier + 1) and \(position + 1))")
            }
            positions[instance.key] = position
            instances.append(instance)
            if let downtime = try Downtime(document: document, now: now) { downtimes.append(downtime) }
        }
        for instance in instances {
            if let source = instance.sourceKey, positions[source] == nil {
                throw SnapshotError(
                    code: .unknownSource, instance: instance.key,
                    message: "\(instance.key) replicates from \(source), which is not in the snapshot")
            }
        }
        return .resolving(
            instances, downtimes: downtimes, now: now, settings: settings, staleBinlogSince: staleBinlogSince)
    }
}
