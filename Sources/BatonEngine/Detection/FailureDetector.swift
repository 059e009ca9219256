import BatonCore
import BatonStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Analyses the topology continuously — every `interval`, and as soon as a probe result changes a failure signal
/// (`InstanceRegistry.failureSignalChanges`: a failed check, broken replication…) — and records what changed:
/// analysis codes in the changelog, and each new actionable verdict as a failure detection (one per instance per
/// `FailureDetectionPeriodBlockMinutes`), registered through the command log by the leader.
///
/// The verdicts come from `ReplicationAnalyzer`, a pure function of the instances; this service only gathers the
/// inputs (including when a primary's binary log position stopped moving) and stores the outputs.
public final class FailureDetector: Service, Sendable {
    let monitor: TopologyMonitor
    let controls: OperatorControls
    let database: BatonDatabase
    let log: any CommandLog
    let leadership: any Leadership
    let configuration: DetectionConfiguration
    let logger: Logger
    let clock: ServiceClock
    let now: @Sendable () -> Date

    struct State {
        var latest: [ReplicationAnalysis] = []
        var codes: [InstanceKey: AnalysisCode] = [:]
        /// Each instance's last binary log position and since when it has not moved.
        var binlog: [InstanceKey: (file: String, position: Int64, since: Date)] = [:]
        /// Instances with a detection in its active period (or being registered), and until when: a failure is
        /// analysed many times, but only its first sighting needs the command log.
        var activeDetections: [InstanceKey: Date] = [:]
    }
    let state = Mutex(State())
    /// Signalled after every analysis.
    public let analyses = ChangeSignal()

    /// - Parameters:
    ///   - log: where detections are registered: `LocalCommandLog` on a single node, the Raft log in a group.
    ///   - leadership: detections are registered only while this node leads (`SingleNodeLeadership` alone).
    ///   - clock: what the detector sleeps on (`ContinuousClock()` in the daemon).
    ///   - now: the wall time of analyses and detections (`{ Date() }` in the daemon).
    public init<C: Clock>(
        monitor: TopologyMonitor, controls: OperatorControls, database: BatonDatabase, log: any CommandLog,
        leadership: any Leadership, configuration: DetectionConfiguration, logger: Logger, clock: C,
        now: @escaping @Sendable () -> Date
    ) where C.Duration == Duration {
        self.monitor = monitor
        self.controls = controls
        self.database = database
        self.log = log
        self.leadership = leadership
        self.configuration = configuration
        self.logger = logger
        self.clock = ServiceClock(clock)
        self.now = now
    }

    /// Analyses, then sleeps until a failure signal changes or `interval` passes. A burst of changes within
    /// `reactionInterval` of an analysis is analysed once, `reactionInterval` after it. New detections are
    /// registered beside the loop: a slow commit (Raft) never holds up the next analysis.
    public func run() async throws {
        let signals = monitor.registry.failureSignalChanges
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let seen = signals.generation
                    let sinceAnalysis = self.clock.stopwatch()
                    let detections = self.evaluate().detections
                    if !detections.isEmpty {
                        group.addTask { await self.register(detections) }
                    }
                    let interval = self.configuration.interval
                    let changed = await signals.wait(after: seen, timeout: interval, on: self.clock)
                    let elapsed = sinceAnalysis()
                    if changed, elapsed < self.configuration.reactionInterval {
                        try? await self.clock.sleep(for: self.configuration.reactionInterval - elapsed)
                    }
                }
            }
        }
    }

    /// The verdicts of the last analysis, sorted by cluster and key.
    public var latest: [ReplicationAnalysis] { state.withLock { $0.latest } }

    /// Analyses the current topology now, records changes, and returns the verdicts. New detections are
    /// registered in the background; `detect()` waits for them.
    @discardableResult
    public func analyze() -> [ReplicationAnalysis] {
        let (analyses, detections) = evaluate()
        if !detections.isEmpty {
            Task { await self.register(detections) }
        }
        return analyses
    }

    /// Analyses the current topology now, records changes, registers new detections, and returns the verdicts.
    @discardableResult
    public func detect() async -> [ReplicationAnalysis] {
        let (analyses, detections) = evaluate()
        await register(detections)
        return analyses
    }

    /// One analysis: the verdicts, with the changes appended to the changelog, and the detections to register
    /// (already marked active, so a concurrent analysis does not register them again).
    func evaluate() -> (analyses: [ReplicationAnalysis], detections: [FailureDetectionRecord]) {
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
            return changes
        }
        record(changes)
        let detections = newDetections(analyses, at: at)
        self.analyses.signal()
        return (analyses, detections)
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

    func record(_ changes: [AnalysisChange]) {
        do {
            try database.appendAnalysisChanges(changes)
        } catch {
            logger.error("Cannot record analysis changes", metadata: ["baton.error": "\(error)"])
        }
        for change in changes where change.analysis != .noProblem {
            logger.info(
                "Analysis changed", metadata: ["baton.instance": "\(change.key)", "baton.analysis": "\(change.analysis.rawValue)"])
        }
    }

    /// The actionable verdicts without a detection in its active period, as detections to register; none on a
    /// node that does not lead (every node analyses, the leader alone registers, so all hold the same).
    func newDetections(_ analyses: [ReplicationAnalysis], at: Date) -> [FailureDetectionRecord] {
        guard leadership.isLeader else { return [] }
        let encoder = JSONEncoder()
        return state.withLock { state in
            state.activeDetections = state.activeDetections.filter { $0.value > at }
            var detections: [FailureDetectionRecord] = []
            for row in analyses where row.isActionableRecovery && !row.skippableDueToDowntime {
                guard state.activeDetections[row.analyzedInstanceKey] == nil else { continue }
                let detection = FailureDetectionRecord(
                    key: row.analyzedInstanceKey, clusterName: row.clusterDetails.clusterName,
                    analysis: row.analysis, detectedAt: at,
                    endsActivePeriod: at.addingTimeInterval(TimeInterval(configuration.detectionBlockSeconds)),
                    document: (try? encoder.encode(row)) ?? Data("{}".utf8))
                state.activeDetections[detection.key] = detection.endsActivePeriod
                detections.append(detection)
            }
            return detections
        }
    }

    /// Registers detections through the command log. The log answers with the detection in force — one
    /// registered earlier (before a restart, or by another leader) keeps its active period — and whether this one
    /// is new; a detection that could not be registered is tried again at the next analysis.
    func register(_ detections: [FailureDetectionRecord]) async {
        for detection in detections {
            do {
                let result = try await log.submit(.registerDetection(detection))
                let stored = result.detection ?? detection
                state.withLock { $0.activeDetections[detection.key] = stored.endsActivePeriod }
                guard result.count == 1 else { continue }
                logger.warning(
                    "Failure detected",
                    metadata: [
                        "baton.instance": "\(detection.key)", "baton.analysis": "\(detection.analysis.rawValue)",
                        "baton.cluster": "\(detection.clusterName)", "baton.detection.id": "\(stored.id)",
                    ])
            } catch {
                state.withLock { _ = $0.activeDetections.removeValue(forKey: detection.key) }
                logger.error(
                    "Cannot register a failure detection",
                    metadata: ["baton.instance": "\(detection.key)", "baton.error": "\(error)"])
            }
        }
    }
}
