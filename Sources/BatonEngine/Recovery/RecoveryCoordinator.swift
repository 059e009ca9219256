import BatonCore
import BatonHooks
import BatonPolicy
import BatonStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Recovers failed primaries and intermediate primaries — on the leader only.
///
/// It reads the detector's latest verdicts when nudged (`nudge()`: after every analysis of the detector, on every
/// signal given to `wake(on:)`), at the next deadline its bookkeeping reports, and at least every `tickInterval` —
/// all waits on the injected clock `C`. What it remembers between ticks — what it
/// considered, refused and notified, whether it led, which clusters run — is a pure `RecoveryBookkeeping` value
/// under a lock: each event returns the actions this shell performs. For each actionable verdict it checks, in
/// order: leadership, a running recovery of the cluster, the global switch, downtime, anti-flapping, the cluster
/// filters (`RecoveryGate`), then the policy's `filter`. A refusal is recorded as a blocked recovery; a go registers
/// the recovery in the store (which is also the per-cluster lock) and runs it as its own task (see
/// `RecoveryCoordinator+Perform.swift`). Manual operations (`recover`, `force-master-failover`, graceful takeover)
/// enter through the same path.
public final class RecoveryCoordinator<C: Clock>: Service, Sendable where C.Duration == Duration {
    public typealias Configuration = RecoveryCoordinatorConfiguration

    struct State {
        /// The decisions' memory, clusters claimed included.
        var bookkeeping: RecoveryBookkeeping
        /// The recovery tasks of the claimed clusters that run automatically (awaited on shutdown).
        var tasks: [String: Task<Void, Never>] = [:]
    }

    let monitor: TopologyMonitor
    let detector: FailureDetector
    let controls: OperatorControls
    let database: BatonDatabase
    let configuration: Configuration
    let decider: RecoveryDecider
    let hooks: HookRunner
    let executor: RecoveryExecutor<C>
    /// The clock the loop waits on.
    let clock: C
    /// The same clock, as `ChangeSignal` waits on it.
    let serviceClock: ServiceClock
    let leadership: any Leadership
    /// Where recoveries are registered, audited and resolved: the Raft log, or this node's store directly.
    let log: any CommandLog
    let logger: Logger
    let now: @Sendable () -> Date
    let state: Mutex<State>
    /// Signalled by `nudge()`: the loop ticks again at once (once, however many nudges arrived meanwhile).
    let wakeUp = ChangeSignal()
    /// Besides the detector's analyses, what wakes the loop (the Raft group's leadership changes).
    let wakeSignals = Mutex<[ChangeSignal]>([])
    /// The Raft group's confirmation round; nil on a single node (which recovers on its own view).
    let confirmation: GroupConfirmation?
    /// The last confirmation verdict per failed instance (the API shows refused ones).
    let confirmations = Mutex<[InstanceKey: RecordedConfirmation]>([:])

    public init(
        monitor: TopologyMonitor, detector: FailureDetector, controls: OperatorControls, database: BatonDatabase,
        configuration: Configuration, policy: LoadedPolicy, hooks: HookRunner, executor: RecoveryExecutor<C>, clock: C,
        leadership: any Leadership, log: any CommandLog, logger: Logger, now: @escaping @Sendable () -> Date,
        confirmation: GroupConfirmation? = nil
    ) {
        self.log = log
        self.confirmation = confirmation
        self.monitor = monitor
        self.detector = detector
        self.controls = controls
        self.database = database
        self.configuration = configuration
        self.decider = RecoveryDecider(
            settings: configuration.recovery, policy: policy, pollSeconds: configuration.pollSeconds,
            reasonableCheckSeconds: configuration.reasonableCheckSeconds)
        self.hooks = hooks
        self.executor = executor
        self.clock = clock
        self.serviceClock = ServiceClock(clock)
        self.leadership = leadership
        self.logger = logger
        self.now = now
        let settings = RecoveryBookkeeping.Settings(
            reconsiderInterval: configuration.reconsiderInterval.inSeconds,
            detectionPeriod: TimeInterval(configuration.detectionBlockSeconds),
            detectionHooksConfigured: !configuration.recovery.hooks[.onFailureDetection].isEmpty
                || policy.policy?.defines(.onDetection) == true)
        self.state = Mutex(State(bookkeeping: RecoveryBookkeeping(settings: settings)))
    }

    /// The policy this node runs (its hash is in `status` and in every recovery).
    public var policy: LoadedPolicy { decider.policy }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for signal in [self.detector.analyses] + self.wakeSignals.withLock({ $0 }) {
                    group.addTask { await self.nudge(whenever: signal) }
                }
                await self.tickOnWakeUps()
                group.cancelAll()
            }
        }
        // A recovery in flight finishes (its steps and hooks are bounded by their timeouts): stopping halfway would
        // leave a cluster half repointed.
        let tasks = state.withLock { Array($0.tasks.values) }
        if !tasks.isEmpty { logger.notice("Waiting for running recoveries to finish", metadata: ["baton.count": "\(tasks.count)"]) }
        for task in tasks { await task.value }
    }

    /// Wakes the loop now: the verdicts are read at once (or right after the tick in progress).
    public func nudge() {
        wakeUp.signal()
    }

    /// Wakes the loop whenever `signal` changes, once the coordinator runs (call before `run()`). Every analysis of
    /// the detector already does: a new verdict is looked at as soon as it exists.
    public func wake(on signal: ChangeSignal) {
        wakeSignals.withLock { $0.append(signal) }
    }

    func nudge(whenever signal: ChangeSignal) async {
        var seen = signal.generation
        while !Task.isCancelled {
            await signal.wait(after: seen)
            seen = signal.generation
            nudge()
        }
    }

    /// Ticks at once, then on every wake-up: a `nudge()`, or the next deadline on the injected clock — the
    /// bookkeeping's, at most `tickInterval` away. Ends when its task is cancelled.
    func tickOnWakeUps() async {
        while !Task.isCancelled {
            let seen = wakeUp.generation
            await tick()
            await wakeUp.wait(after: seen, timeout: nextWait(), on: serviceClock)
        }
    }

    /// How long the loop may wait before the next tick: until the bookkeeping's next deadline, at most `tickInterval`.
    func nextWait() -> Duration {
        let at = now()
        guard let deadline = state.withLock({ $0.bookkeeping.nextDeadline(after: at) }) else {
            return configuration.tickInterval
        }
        return min(configuration.tickInterval, .seconds(deadline.timeIntervalSince(at)))
    }

    /// Recoveries marked running that no task of this process runs were interrupted: by a crash of this node, or
    /// of the former leader. They are resolved as failed, so that they are never run a second time automatically.
    /// One that had been marked executing may have changed servers: it is attempted, and blocks its cluster for
    /// `RecoveryPeriodBlockSeconds` until an operator acknowledges it; one interrupted before that mark never
    /// touched a server and blocks nothing. A recovery its runner resolved meanwhile keeps that resolution.
    /// Called when this node takes office (at start-up for a single node) and every few seconds while it leads: the
    /// recoveries this process runs are the bookkeeping's claimed clusters, so only orphans are resolved.
    func resolveInterruptedRecoveries() async {
        let running: [RecoveryRecord]
        do {
            running = try database.runningRecoveries()
        } catch {
            logger.error("Cannot read running recoveries", metadata: ["baton.error": "\(error)"])
            return
        }
        let ours = state.withLock { $0.bookkeeping.claimedClusters }
        for recovery in running where !ours.contains(recovery.clusterName) {
            let message = "interrupted: the node running it (\(recovery.processingNode)) stopped or lost leadership; "
                + "resolved by \(leadership.nodeName) — check the topology, then acknowledge the recovery"
            let trail = RecoveryAuditTrail(uid: recovery.uid, log: log, logger: logger, now: now)
            trail.record(message)
            await trail.finish()
            do {
                let result = try await log.submit(
                    .resolveRecovery(
                        uid: recovery.uid,
                        RecoveryResolution(
                            endedAt: now(), attempted: recovery.executingAt != nil, isSuccessful: false,
                            errors: recovery.errors + [message])))
                let metadata: Logger.Metadata = [
                    "baton.recovery.uid": "\(recovery.uid)", "baton.cluster": "\(recovery.clusterName)",
                    "baton.recovery.attempted": "\(recovery.executingAt != nil)",
                ]
                if result.count == 1 {
                    logger.warning("Interrupted recovery resolved as failed", metadata: metadata)
                } else {
                    logger.info("Interrupted recovery was resolved meanwhile; its resolution stands", metadata: metadata)
                }
            } catch {
                logger.error("Cannot resolve an interrupted recovery", metadata: ["baton.error": "\(error)"])
            }
        }
    }

    // MARK: - Automatic recoveries

    /// Looks at the latest verdicts once.
    func tick() async {
        let isLeader = leadership.isLeader
        let at = now()
        let verdicts = detector.latest
        let actions = state.withLock { $0.bookkeeping.tick(isLeader: isLeader, at: at, verdicts: verdicts) }
        await carryOut(actions, at: at)
    }

    /// Performs what the bookkeeping decided at `at`, in order.
    func carryOut(_ actions: [RecoveryBookkeeping.Action], at: Date) async {
        for action in actions {
            switch action {
            case .announceOffice:
                logger.notice("Leading: recoveries are this node's to run", metadata: ["baton.node": "\(leadership.nodeName)"])
            case .resolveInterrupted:
                await resolveInterruptedRecoveries()
            case .consider(let row):
                let verdict = gate(row, isManual: false, at: at)
                await carryOut(state.withLock { $0.bookkeeping.gateAnswered(row, verdict: verdict, at: at) }, at: at)
            case .recordRefusal(let row, let reason, let blocking):
                recordRefusal(row, reason: reason, blocking: blocking, at: at)
            case .runDetectionHooks(let row):
                Task { await self.runDetectionHooks(row, trail: nil) }
            case .startRecovery(let row):
                startAutomatic(row)
            case .endLostDowntimes:
                await endLostDowntimesOfRecoveredInstances(at: at)
            }
        }
    }

    /// A server a recovery left behind (downtimed `lost-in-recovery`) that replicates again — an operator
    /// re-attached it — is watched normally again, as in orchestrator: its downtime ends once it has replicated
    /// with a valid check for a minute after the downtime began.
    public func endLostDowntimesOfRecoveredInstances(at: Date) async {
        let lifetime = TimeInterval(configuration.recovery.lostInRecoveryDowntimeSeconds)
        for downtime in controls.activeDowntimes(at: at)
        where downtime.owner == "baton" && downtime.reason == "lost-in-recovery"
            && at.timeIntervalSince(downtime.endsAt.addingTimeInterval(-lifetime)) >= 60
        {
            guard let instance = monitor.registry.instance(downtime.key), instance.isReplicating,
                instance.isLastCheckValid(
                    pollSeconds: configuration.pollSeconds, reasonableCheckSeconds: configuration.reasonableCheckSeconds)
            else { continue }
            if (try? await log.submit(.endDowntime(downtime.key, at: at)))?.count == 1 {
                logger.notice("Lost instance replicates again: downtime ended", metadata: ["baton.instance": "\(downtime.key)"])
            }
        }
    }

    /// The automatic recovery of `row`, as its cluster's task: the policy's `filter` (Lua: off the cooperative pool,
    /// inside the task), then the recovery.
    func startAutomatic(_ row: ReplicationAnalysis) {
        start(cluster: row.clusterDetails.clusterName) {
            let filter = await Self.offload { self.decider.filter(row) }
            guard filter.proceed else {
                let at = self.now()
                let reason = filter.reason ?? "refused by the policy"
                await self.carryOut(
                    self.state.withLock { $0.bookkeeping.refused(row, reason: reason, blockingRecovery: nil, at: at) },
                    at: at)
                await self.runDetectionHooksIfNew(row, trail: nil)
                return
            }
            if case .failure(let refusal) = await self.perform(RecoveryRequest(analysis: row, preamble: filter.audit)),
                refusal.recovery == nil
            {
                // Nothing was registered (the group did not confirm, another leader holds the cluster): a blocked
                // recovery says why, and the failure is considered again at the next look.
                let at = self.now()
                await self.carryOut(
                    self.state.withLock { $0.bookkeeping.refused(row, reason: refusal.message, blockingRecovery: nil, at: at) },
                    at: at)
            }
        }
    }

    /// Runs `body` as the cluster's recovery task unless one is running; the cluster is free again when it ends.
    @discardableResult
    func start(cluster: String, _ body: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            guard state.bookkeeping.claim(cluster: cluster) else { return false }
            state.tasks[cluster] = Task {
                await body()
                self.state.withLock { state in
                    state.bookkeeping.release(cluster: cluster)
                    state.tasks[cluster] = nil
                }
            }
            return true
        }
    }

    /// Claims `cluster` for an operation the caller awaits (manual operations); `false` when a recovery runs.
    func claim(cluster: String) -> Bool {
        state.withLock { $0.bookkeeping.claim(cluster: cluster) }
    }

    func release(cluster: String) {
        state.withLock { $0.bookkeeping.release(cluster: cluster) }
    }

    /// `RecoveryGate` with the facts of now.
    func gate(_ row: ReplicationAnalysis, isManual: Bool, at: Date) -> RecoveryGate.Verdict {
        let cluster = row.clusterDetails.clusterName
        let recoveries: [RecoveryGate.PastRecovery]
        do {
            recoveries = try database.recentRecoveries(
                cluster: cluster, successor: row.analyzedInstanceKey,
                endedAfter: at.addingTimeInterval(-TimeInterval(configuration.recovery.blockSeconds))
            ).compactMap(\.pastRecovery)
        } catch {
            return .refused(reason: "cannot read the recoveries of \(cluster): \(error)", blockingRecovery: nil)
        }
        return RecoveryGate.check(
            RecoveryGate.Facts(
                isLeader: leadership.isLeader, recoveriesEnabled: controls.recoveriesEnabled, analysis: row.analysis,
                cluster: cluster, clusterAlias: row.clusterDetails.clusterAlias,
                isDowntimed: row.skippableDueToDowntime, recoveries: recoveries,
                blockSeconds: TimeInterval(configuration.recovery.blockSeconds),
                masterFilter: configuration.recovery.masterFilter,
                intermediateMasterFilter: configuration.recovery.intermediateMasterFilter, isManual: isManual, now: at,
                failedKey: row.analyzedInstanceKey))
    }

    /// Records a refused automatic recovery (`blocked-recoveries`); the bookkeeping decides when (a changed reason,
    /// or every minute).
    func recordRefusal(_ row: ReplicationAnalysis, reason: String, blocking: Int64?, at: Date) {
        let key = row.analyzedInstanceKey
        logger.notice(
            "Recovery not attempted",
            metadata: [
                "baton.instance": "\(key)", "baton.analysis": "\(row.analysis.rawValue)", "baton.reason": "\(reason)",
            ])
        do {
            try database.recordBlockedRecovery(
                BlockedRecoveryRecord(
                    failedKey: key, clusterName: row.clusterDetails.clusterName, analysis: row.analysis,
                    lastBlockedAt: at, blockingRecoveryID: blocking, reason: reason))
        } catch {
            logger.error("Cannot record a blocked recovery", metadata: ["baton.error": "\(error)"])
        }
    }

    /// Runs `OnFailureDetectionProcesses` and the policy's `on_detection` unless they already ran for this failure
    /// in its detection period. A failing detection hook stops the phase and is recorded; it does not stop the
    /// recovery (the hooks never run twice for one detection, so orchestrator's abort only delayed it by a tick).
    func runDetectionHooksIfNew(_ row: ReplicationAnalysis, trail: RecoveryAuditTrail?) async {
        let at = now()
        guard state.withLock({ $0.bookkeeping.detectionHooksRequested(key: row.analyzedInstanceKey, at: at) }) else { return }
        await runDetectionHooks(row, trail: trail)
    }

    /// Runs the detection hooks of a failure whose detection period is claimed.
    func runDetectionHooks(_ row: ReplicationAnalysis, trail: RecoveryAuditTrail?) async {
        let key = row.analyzedInstanceKey
        let policyLines = await Self.offload { self.decider.onDetection(row) }
        trail?.record(policyLines)
        let specs = configuration.recovery.hooks[.onFailureDetection]
        guard !specs.isEmpty else { return }
        let context = hookContext(row, uid: trail?.uid ?? "", command: "")
        let phase = await hooks.runPhase(specs, phase: .onFailureDetection, context: context)
        trail?.record(Self.describe(phase))
        if trail == nil, phase.isAborted {
            logger.warning("Detection hook failed", metadata: ["baton.instance": "\(key)", "baton.reason": "\(phase.abortReason ?? "")"])
        }
    }

    // MARK: - Acknowledgement

    /// Acknowledges recoveries; the failures they blocked are looked at again at once.
    public func acknowledge(_ scope: RecoveryScope, by owner: String, comment: String) async throws -> Int {
        let count = try await log.submit(.acknowledgeRecoveries(scope, by: owner, comment: comment, at: now())).count
        state.withLock { $0.bookkeeping.acknowledged() }
        nudge()
        logger.notice(
            "Recoveries acknowledged", metadata: ["baton.count": "\(count)", "baton.owner": "\(owner)", "baton.comment": "\(comment)"])
        return count
    }

    // MARK: - Helpers

    /// Runs blocking work (Lua) on a dispatch thread, not on the cooperative pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    static func describe(_ phase: PhaseResult) -> [String] {
        var lines = phase.results.map { result in
            "\(phase.phase.configurationKey): \(result.hook) \(result.summary)"
                + (result.output.text.isEmpty ? "" : "; output: \(result.output.text.suffix(2048))")
        }
        lines += phase.launchedAsynchronously.map { "\(phase.phase.configurationKey): \($0) launched asynchronously" }
        lines += phase.notRun.map { "\(phase.phase.configurationKey): \($0) not run" }
        if let reason = phase.abortReason { lines.append("\(phase.phase.configurationKey) aborted: \(reason)") }
        return lines
    }
}
