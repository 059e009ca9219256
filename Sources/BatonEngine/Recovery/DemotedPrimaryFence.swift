import BatonCore
import BatonStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Fences the primaries that recoveries demoted, on every node: the moment this node reaches one that is writable
/// again, it is made read-only and its client connections are killed (`DemotedPrimaryFencing` decides; this shell
/// reads the recoveries and the registry, runs the statements and writes the audit).
///
/// A follower may be the only node that reaches the old primary (a partition): it fences too, since fencing only
/// makes things safer, and logs it; the leader writes the audit line — its own fence, or, once it sees the old
/// primary read-only, that it is. Fencing never ends the `lost-in-recovery` downtime.
public final class DemotedPrimaryFence: Service, Sendable {
    let monitor: TopologyMonitor
    let database: BatonDatabase
    let log: any CommandLog
    let leadership: any Leadership
    let executor: RecoveryExecutor<ContinuousClock>
    let pollSeconds: Int
    let reasonableCheckSeconds: Int
    let logger: Logger
    let clock: ServiceClock
    let now: @Sendable () -> Date

    struct State {
        var fencing: DemotedPrimaryFencing
        /// Recoveries whose stored audit is known to mention the fence.
        var audited: Set<String> = []
    }
    let state: Mutex<State>
    /// A burst of registry changes is evaluated at most this often (each evaluation reads the recoveries).
    static let reactionInterval: Duration = .milliseconds(100)

    public init<C: Clock>(
        monitor: TopologyMonitor, database: BatonDatabase, log: any CommandLog, leadership: any Leadership,
        executor: RecoveryExecutor<ContinuousClock>, settings: DemotedPrimaryFencing.Settings, pollSeconds: Int,
        reasonableCheckSeconds: Int, logger: Logger, clock: C, now: @escaping @Sendable () -> Date
    ) where C.Duration == Duration {
        self.monitor = monitor
        self.database = database
        self.log = log
        self.leadership = leadership
        self.executor = executor
        self.pollSeconds = pollSeconds
        self.reasonableCheckSeconds = reasonableCheckSeconds
        self.logger = logger
        self.clock = ServiceClock(clock)
        self.now = now
        state = Mutex(State(fencing: DemotedPrimaryFencing(settings: settings)))
    }

    /// Evaluates when a failure signal changes (an instance answers again, turns read-only or writable), every poll
    /// interval (a recovery replicated from the leader), and when a retry falls due. Fences run beside the loop.
    public func run() async throws {
        let signals = monitor.registry.failureSignalChanges
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let seen = signals.generation
                    let sinceEvaluation = self.clock.stopwatch()
                    let at = self.now()
                    for action in self.evaluate(at: at) {
                        group.addTask { await self.perform(action) }
                    }
                    var wait = Duration.seconds(max(1, self.pollSeconds))
                    if let deadline = self.state.withLock({ $0.fencing.nextDeadline }) {
                        wait = min(wait, .milliseconds(max(10, Int64(deadline.timeIntervalSince(at) * 1000))))
                    }
                    let changed = await signals.wait(after: seen, timeout: wait, on: self.clock)
                    let elapsed = sinceEvaluation()
                    if changed, elapsed < Self.reactionInterval {
                        try? await self.clock.sleep(for: Self.reactionInterval - elapsed)
                    }
                }
            }
        }
    }

    /// One evaluation: the demotions from the store, this node's sightings from the registry.
    func evaluate(at: Date) -> [DemotedPrimaryFencing.Action] {
        let horizon = state.withLock { $0.fencing.settings.horizon }
        let recoveries: [RecoveryRecord]
        do {
            recoveries = try database.recoveries(.all, limit: 500)
        } catch {
            logger.error("Cannot read recoveries to fence demoted primaries", metadata: ["baton.error": "\(error)"])
            return []
        }
        let demotions = DemotedPrimaryFencing.demotions(recoveries, at: at, horizon: horizon)
        var sightings: [InstanceKey: DemotedPrimaryFencing.Sighting] = [:]
        for demotion in demotions {
            guard let instance = monitor.registry.instance(demotion.failed) else { continue }
            sightings[demotion.failed] = sighting(instance)
        }
        let isLeader = leadership.isLeader
        let known = state.withLock { $0.audited }
        var audited = known
        if isLeader {
            for demotion in demotions
            where !known.contains(demotion.uid) && sightings[demotion.failed]?.isFenced == true {
                let steps = (try? database.recoverySteps(uid: demotion.uid)) ?? []
                if steps.contains(where: { $0.message.hasPrefix("fence: ") }) { audited.insert(demotion.uid) }
            }
        }
        return state.withLock { state in
            state.audited = audited
            return state.fencing.evaluate(
                demotions, sightings: sightings, audited: audited, isLeader: isLeader, nodeName: leadership.nodeName,
                at: at)
        }
    }

    func sighting(_ instance: Instance) -> DemotedPrimaryFencing.Sighting {
        DemotedPrimaryFencing.Sighting(
            probedAt: instance.lastAttempted ?? instance.lastSeen ?? .distantPast,
            reachable: instance.isLastCheckValid(pollSeconds: pollSeconds, reasonableCheckSeconds: reasonableCheckSeconds),
            readOnly: instance.facts.readOnly, superReadOnly: instance.facts.superReadOnly,
            hasSuperReadOnly: instance.facts.version?.hasSuperReadOnly ?? false,
            hasSource: instance.facts.replication?.sourceKey != nil)
    }

    func perform(_ action: DemotedPrimaryFencing.Action) async {
        switch action {
        case .fence(let fence):
            let statements = FencingStatements(version: monitor.registry.instance(fence.key)?.facts.version)
            let followUp: [DemotedPrimaryFencing.Action]
            do {
                let outcome = try await executor.fence(
                    fence.key, statements: statements, killConnections: fence.killConnections)
                let at = now()
                let isLeader = leadership.isLeader
                followUp = state.withLock {
                    $0.fencing.fenced(
                        fence, statements: outcome.statements, killed: outcome.killed.count, isLeader: isLeader,
                        nodeName: leadership.nodeName, at: at)
                }
                monitor.probeSoon([fence.key])
            } catch {
                let at = now()
                followUp = state.withLock { $0.fencing.fenceFailed(fence, error: "\(error)", at: at) }
            }
            for action in followUp { await perform(action) }
        case .audit(let uid, let message):
            do {
                _ = try await log.submit(.recoveryStep(RecoveryStepRecord(recoveryUID: uid, at: now(), message: message)))
                state.withLock { _ = $0.audited.insert(uid) }
            } catch {
                state.withLock { $0.fencing.auditFailed(uid: uid) }
                logger.error(
                    "Cannot record the fence in the recovery's audit",
                    metadata: ["baton.recovery.uid": "\(uid)", "baton.error": "\(error)"])
            }
        case .warn(let uid, let key, let message):
            logger.warning(
                "Demoted primary fence",
                metadata: ["baton.recovery.uid": "\(uid)", "baton.instance": "\(key)", "baton.fence": "\(message)"])
        }
    }
}
