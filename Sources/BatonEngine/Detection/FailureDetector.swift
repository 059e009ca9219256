import BatonCore
import BatonStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Analyses the topology continuously — every second, and within a few milliseconds of any probe result that
/// changes a failure signal (`InstanceRegistry.failureSignalVersion`: a failed check, broken replication…) — and
/// records what changed: analysis codes in the changelog, and each new actionable verdict as a failure detection
/// (one per instance per `FailureDetectionPeriodBlockMinutes`).
///
/// The verdicts come from `ReplicationAnalyzer`, a pure function of the instances; this service only gathers the
/// inputs (including when a primary's binary log position stopped moving) and stores the outputs.
public final class FailureDetector: Service, Sendable {
    let monitor: TopologyMonitor
    let controls: OperatorControls
    let database: BatonDatabase
    let configuration: DetectionConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    struct State {
        var latest: [ReplicationAnalysis] = []
        var codes: [InstanceKey: AnalysisCode] = [:]
        /// Each instance's last binary log position and since when it has not moved.
        var binlog: [InstanceKey: (file: String, position: Int64, since: Date)] = [:]
        var analysedVersion: UInt64?
        var lastRun: Date?
        /// Instances with a detection still in its active period, and until when: a failure is analysed many times
        /// a second, but only its first sighting needs the store.
        var activeDetections: [InstanceKey: Date] = [:]
    }
    let state = Mutex(State())
    /// With Raft: detections go through the log, registered by the leader only.
    let replication = Mutex<(log: any CommandLog, leadership: any Leadership)?>(nil)

    /// Registers detections through `log` from now on, and only while `leadership` says this node leads.
    public func replicate(through log: any CommandLog, leadership: any Leadership) {
        replication.withLock { $0 = (log, leadership) }
    }

    public init(
        monitor: TopologyMonitor, controls: OperatorControls, database: BatonDatabase,
        configuration: DetectionConfiguration, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.monitor = monitor
        self.controls = controls
        self.database = database
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let at = self.now()
                let version = self.monitor.registry.failureSignalVersion
                let due = self.state.withLock { state in
                    let interval = self.configuration.interval.inSeconds
                    return state.analysedVersion != version
                        || state.lastRun.map { at.timeIntervalSince($0) >= interval } ?? true
                }
                if due { self.analyze() }
                try? await Task.sleep(for: self.configuration.reactionInterval)
            }
        }
    }

    /// The verdicts of the last analysis, sorted by cluster and key.
    public var latest: [ReplicationAnalysis] { state.withLock { $0.latest } }

    /// Analyses the current topology now, records changes and detections, and returns the verdicts.
    @discardableResult
    public func analyze() -> [ReplicationAnalysis] {
        let version = monitor.registry.failureSignalVersion
        let at = now()
        let instances = controls.annotate(monitor.registry.all(), at: at)
        let stale = trackBinlogPositions(instances, at: at)
        let snapshot = AnalysisSnapshot(
            instances: instances, downtimes: controls.activeDowntimes(at: at), now: at,
            settings: configuration.analysis, staleBinlogSince: stale)
        let analyses = ReplicationAnalyzer.analyze(snapshot)
        let changes = state.withLock { state -> [AnalysisChange] in
            var changes: [AnalysisChange] = []
            var codes: [InstanceKey: AnalysisCode] = [:]
            for row in analyses {
                codes[row.analyzedInstanceKey] = row.analysis
                if state.codes[row.analyzedInstanceKey] != row.analysis {
                    changes.append(AnalysisChange(key: row.analyzedInstanceKey, analysis: row.analysis, changedAt: at))
                }
            }
            state.codes = codes
            state.latest = analyses
            state.analysedVersion = version
            state.lastRun = at
            return changes
        }
        record(changes, analyses, at: at)
        return analyses
    }

    /// Stale binary log positions feed `LockedSemiSyncMaster`: a position unchanged since the last look keeps
    /// its first-seen time; a moved one starts over.
    func trackBinlogPositions(_ instances: [Instance], at: Date) -> [InstanceKey: Date] {
        state.withLock { state in
            var stale: [InstanceKey: Date] = [:]
            var next: [InstanceKey: (file: String, position: Int64, since: Date)] = [:]
            for instance in instances where instance.facts.logBinEnabled && !instance.facts.binlogFile.isEmpty {
                let file = instance.facts.binlogFile
                let position = instance.facts.binlogPosition
                if let previous = state.binlog[instance.key], previous.file == file, previous.position == position {
                    next[instance.key] = previous
                    stale[instance.key] = previous.since
                } else {
                    next[instance.key] = (file, position, at)
                }
            }
            state.binlog = next
            return stale
        }
    }

    func record(_ changes: [AnalysisChange], _ analyses: [ReplicationAnalysis], at: Date) {
        do {
            try database.appendAnalysisChanges(changes)
        } catch {
            logger.error("Cannot record analysis changes", metadata: ["baton.error": "\(error)"])
        }
        for change in changes where change.analysis != .noProblem {
            logger.info(
                "Analysis changed", metadata: ["baton.instance": "\(change.key)", "baton.analysis": "\(change.analysis.rawValue)"])
        }
        let encoder = JSONEncoder()
        let fresh = state.withLock { state in
            state.activeDetections = state.activeDetections.filter { $0.value > at }
            return analyses.filter { row in
                row.isActionableRecovery && !row.skippableDueToDowntime
                    && state.activeDetections[row.analyzedInstanceKey] == nil
            }
        }
        let replicated = replication.withLock { $0 }
        for row in fresh {
            let detection = FailureDetectionRecord(
                key: row.analyzedInstanceKey, clusterName: row.clusterDetails.clusterName,
                analysis: row.analysis, detectedAt: at,
                endsActivePeriod: at.addingTimeInterval(TimeInterval(configuration.detectionBlockSeconds)),
                document: (try? encoder.encode(row)) ?? Data("{}".utf8))
            if let replicated {
                // Every node analyses; the leader alone registers, through the log, so all hold the same detections.
                guard replicated.leadership.isLeader else { continue }
                state.withLock { $0.activeDetections[row.analyzedInstanceKey] = detection.endsActivePeriod }
                let logger = self.logger
                Task {
                    do {
                        _ = try await replicated.log.submit(.registerDetection(detection))
                    } catch {
                        logger.error("Cannot register a failure detection", metadata: ["baton.error": "\(error)"])
                    }
                }
                continue
            }
            do {
                // The store keeps one detection per active period across restarts; it answers with the one in force.
                let (stored, isNew) = try database.registerDetection(detection)
                state.withLock { $0.activeDetections[row.analyzedInstanceKey] = stored.endsActivePeriod }
                if isNew {
                    logger.warning(
                        "Failure detected",
                        metadata: [
                            "baton.instance": "\(row.analyzedInstanceKey)", "baton.analysis": "\(row.analysis.rawValue)",
                            "baton.cluster": "\(row.clusterDetails.clusterName)", "baton.detection.id": "\(stored.id)",
                        ])
                }
            } catch {
                logger.error("Cannot register a failure detection", metadata: ["baton.error": "\(error)"])
            }
        }
    }
}
