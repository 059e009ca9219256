import BatonCore
import Foundation

/// What the recovery coordinator remembers between ticks, as a pure value: which failures it considered and when,
/// which refusals it recorded, which detections ran their hooks, whether this node led at the last tick, when it
/// last looked for interrupted recoveries, and which clusters have a recovery running in this process.
///
/// Each event is a `mutating` method that takes the facts of the moment (times included: nothing here reads a
/// clock) and returns the ``Action``s the coordinator performs, in order, at the event's time. The coordinator keeps this value under
/// its lock and does the I/O; `RecoveryBookkeepingTests` drive it directly.
public struct RecoveryBookkeeping: Sendable, Equatable {
    /// The intervals the bookkeeping decides with.
    public struct Settings: Sendable, Equatable {
        /// A failure already considered with the same verdict is considered again after this long.
        public var reconsiderInterval: TimeInterval
        /// An identical refusal is recorded again after this long (a changed one at once).
        public var refusalRefreshInterval: TimeInterval
        /// While leading, running recoveries are checked for interrupted ones this often (and on taking office).
        public var interruptedCheckInterval: TimeInterval
        /// orchestrator's `FailureDetectionPeriodBlockMinutes`: detection hooks run once per detection period.
        public var detectionPeriod: TimeInterval
        /// Whether a refused failure has detection hooks to run (`OnFailureDetectionProcesses` or the policy's
        /// `on_detection`).
        public var detectionHooksConfigured: Bool

        public init(
            reconsiderInterval: TimeInterval, refusalRefreshInterval: TimeInterval = 60,
            interruptedCheckInterval: TimeInterval = 5, detectionPeriod: TimeInterval,
            detectionHooksConfigured: Bool
        ) {
            self.reconsiderInterval = reconsiderInterval
            self.refusalRefreshInterval = refusalRefreshInterval
            self.interruptedCheckInterval = interruptedCheckInterval
            self.detectionPeriod = detectionPeriod
            self.detectionHooksConfigured = detectionHooksConfigured
        }
    }

    /// What the coordinator does next.
    public enum Action: Sendable, Equatable {
        /// This node took office: say so in the log.
        case announceOffice
        /// Resolve recoveries marked running that no task of this process runs.
        case resolveInterrupted
        /// Ask the gate (`RecoveryGate` with the facts of now) about this failure, then report `gateAnswered`.
        case consider(ReplicationAnalysis)
        /// Record a refused automatic recovery (`blocked-recoveries`).
        case recordRefusal(ReplicationAnalysis, reason: String, blockingRecovery: Int64?)
        /// Run the detection hooks and the policy's `on_detection` for a failure not being recovered (the detection
        /// period is already claimed).
        case runDetectionHooks(ReplicationAnalysis)
        /// Start the cluster's recovery task: the policy's `filter`, then the recovery.
        case startRecovery(ReplicationAnalysis)
        /// End the `lost-in-recovery` downtimes of servers that replicate again.
        case endLostDowntimes
    }

    /// A failure considered: with which verdict, and when.
    public struct Consideration: Sendable, Equatable {
        public var code: AnalysisCode
        public var at: Date
    }

    /// The last refusal recorded for a failed instance.
    public struct Refusal: Sendable, Equatable {
        public var reason: String
        public var at: Date
    }

    public var settings: Settings
    /// When each failed instance was last considered, and with which verdict.
    public private(set) var considered: [InstanceKey: Consideration] = [:]
    /// The last refusal recorded per instance, to record each change once (and refresh it every so often).
    public private(set) var refusals: [InstanceKey: Refusal] = [:]
    /// Failed instances whose detection hooks ran (or are running), until their detection period ends.
    public private(set) var notifiedUntil: [InstanceKey: Date] = [:]
    /// Whether this node led at the last tick: taking office resolves recoveries a former leader left running.
    public private(set) var wasLeader = false
    /// When running recoveries were last checked for interrupted ones (again every few seconds while leading: a new
    /// leader may apply the former leader's last entries only after taking office).
    public private(set) var interruptedCheckedAt: Date?
    /// Clusters with a recovery (automatic or manual) running in this process: the per-cluster lock.
    public private(set) var claimedClusters: Set<String> = []

    public init(settings: Settings) {
        self.settings = settings
    }

    // MARK: - Events

    /// The coordinator looks at the detector's latest verdicts.
    ///
    /// A leader resolves interrupted recoveries when it takes office and every `interruptedCheckInterval`, then
    /// considers each actionable failure whose cluster has no recovery running, unless it was considered with the
    /// same verdict less than `reconsiderInterval` ago; at most one failure per cluster in one tick (the next one
    /// waits for the gate's answer on the first). A follower does nothing and forgets that it led.
    public mutating func tick(isLeader: Bool, at: Date, verdicts: [ReplicationAnalysis]) -> [Action] {
        let tookOffice = isLeader && !wasLeader
        wasLeader = isLeader
        guard isLeader else { return [] }
        var actions: [Action] = tookOffice ? [.announceOffice] : []
        if tookOffice || interruptedCheckedAt.map({ at.timeIntervalSince($0) >= settings.interruptedCheckInterval }) ?? true {
            interruptedCheckedAt = at
            actions.append(.resolveInterrupted)
        }
        var clustersThisTick: Set<String> = []
        for row in verdicts where row.isActionableRecovery {
            let key = row.analyzedInstanceKey
            let cluster = row.clusterDetails.clusterName
            if claimedClusters.contains(cluster) || clustersThisTick.contains(cluster) { continue }
            if let last = considered[key], last.code == row.analysis,
                at.timeIntervalSince(last.at) < settings.reconsiderInterval
            {
                continue
            }
            considered[key] = Consideration(code: row.analysis, at: at)
            clustersThisTick.insert(cluster)
            actions.append(.consider(row))
        }
        actions.append(.endLostDowntimes)
        return actions
    }

    /// The gate answered about a considered failure: a go starts the cluster's recovery (when Baton has one for the
    /// verdict); a refusal is recorded (when it changed) and the failure's detection hooks run (once a period).
    public mutating func gateAnswered(_ row: ReplicationAnalysis, verdict: RecoveryGate.Verdict, at: Date) -> [Action] {
        let reason: String
        let blocking: Int64?
        switch verdict {
        case .refused(let refusal, let blockingRecovery):
            reason = refusal
            blocking = blockingRecovery
        case .proceed:
            guard RecoveryRequest.planKind(for: row.analysis) == nil else { return [.startRecovery(row)] }
            reason = "Baton has no recovery for \(row.analysis.rawValue) yet"
            blocking = nil
        }
        var actions = refused(row, reason: reason, blockingRecovery: blocking, at: at)
        if settings.detectionHooksConfigured, detectionHooksRequested(key: row.analyzedInstanceKey, at: at) {
            actions.append(.runDetectionHooks(row))
        }
        return actions
    }

    /// A recovery of `row` was refused (by the gate or the policy's filter): recorded when the reason changed, or
    /// when the same reason was last recorded `refusalRefreshInterval` ago.
    public mutating func refused(
        _ row: ReplicationAnalysis, reason: String, blockingRecovery: Int64?, at: Date
    ) -> [Action] {
        let key = row.analyzedInstanceKey
        if let last = refusals[key], last.reason == reason,
            at.timeIntervalSince(last.at) < settings.refusalRefreshInterval
        {
            return []
        }
        refusals[key] = Refusal(reason: reason, at: at)
        return [.recordRefusal(row, reason: reason, blockingRecovery: blockingRecovery)]
    }

    /// Claims the detection hooks of the failure of `key`: `true` (run them now) unless they ran in its detection
    /// period.
    public mutating func detectionHooksRequested(key: InstanceKey, at: Date) -> Bool {
        if let until = notifiedUntil[key], until > at { return false }
        notifiedUntil[key] = at.addingTimeInterval(settings.detectionPeriod)
        return true
    }

    /// Recoveries were acknowledged: every failure is considered again, and its refusal recorded again.
    public mutating func acknowledged() {
        considered.removeAll()
        refusals.removeAll()
    }

    /// Claims `cluster` for a recovery; `false` when one runs already.
    public mutating func claim(cluster: String) -> Bool {
        claimedClusters.insert(cluster).inserted
    }

    /// The recovery of `cluster` ended.
    public mutating func release(cluster: String) {
        claimedClusters.remove(cluster)
    }

    // MARK: - Deadlines

    /// The next moment after `at` when a tick would act although no verdict changed: the next check for
    /// interrupted recoveries, or the end of a reconsider interval. `nil` when nothing is due (or not leading).
    public func nextDeadline(after at: Date) -> Date? {
        guard wasLeader else { return nil }
        let interrupted = interruptedCheckedAt.map { $0.addingTimeInterval(settings.interruptedCheckInterval) }
        let reconsider = considered.values.map { $0.at.addingTimeInterval(settings.reconsiderInterval) }
        return ([interrupted].compactMap { $0 } + reconsider).filter { $0 > at }.min()
    }
}
