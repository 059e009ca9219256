import BatonCore
import BatonHooks
import BatonPolicy
import BatonStore
import Foundation

/// The phases of one recovery, in the order `perform(_:)` runs them. A phase that may stop the recovery returns a
/// `PhaseOutcome`; resolving and the post hooks always run once the plan was executed.
extension RecoveryCoordinator {
    /// Registers the recovery through the log (which is also the cluster's lock), with the group's confirmation when
    /// there was a round, and opens its audit trail.
    func register(
        _ request: RecoveryRequest, kind: RecoveryPlan.Kind, confirmation: FailureConfirmation.Verdict? = nil
    ) async -> PhaseOutcome<RecoveryInProgress> {
        let row = request.analysis
        let started = now()
        let detection = try? database.activeDetection(of: row.analyzedInstanceKey, at: started)
        var record = RecoveryRecord(
            uid: UUID().uuidString.lowercased(), failedKey: row.analyzedInstanceKey,
            clusterName: row.clusterDetails.clusterName, clusterAlias: row.clusterDetails.clusterAlias,
            analysis: row.analysis, kind: kind == .deadPrimary ? .masterRecovery : .intermediateMasterRecovery,
            command: request.command, processingNode: leadership.nodeName, startedAt: started,
            lastDetectionID: detection?.id ?? 0, policyHash: decider.policy.contentHash,
            analysisDocument: (try? JSONEncoder().encode(row)) ?? Data("{}".utf8))
        record.confirmationDocument = confirmation?.encoded() ?? Data()
        // Checked again where the registration is applied, from the replicated state only: a leader that has not
        // noticed a newer one cannot register beside it.
        let rules = RegistrationRules(
            isManual: request.isManual, blockSeconds: TimeInterval(configuration.recovery.blockSeconds))
        do {
            let result = try await log.submit(.registerRecovery(record, rules))
            if let refusal = result.refusal {
                return .abandon(reason: refusal)
            }
            guard let stored = result.recovery else {
                return .abandon(reason: "cannot register the recovery: \(result.error ?? "no answer")")
            }
            record = stored
        } catch {
            return .abandon(reason: "cannot register the recovery: \(error)")
        }
        let trail = RecoveryAuditTrail(uid: record.uid, log: log, logger: logger, now: now)
        trail.record(
            "will handle \(row.analysis.rawValue) on \(row.analyzedInstanceKey) of cluster \(record.clusterName)"
                + (request.command.isEmpty ? " (automatic)" : " (\(request.command))")
                + "; node \(record.processingNode); policy " + (record.policyHash.isEmpty ? "none" : record.policyHash))
        trail.record(request.preamble)
        return .proceed(RecoveryInProgress(request: request, kind: kind, record: record, trail: trail))
    }

    /// A graceful takeover's prelude (marked executing, then the primary read-only, the designated replica caught
    /// up), or else the detection hooks (unless `recover-lite`). The prelude makes the primary writable again when
    /// it stops.
    func prelude(_ recovery: RecoveryInProgress) async -> PhaseOutcome<Void> {
        let request = recovery.request
        if let graceful = request.graceful {
            // The prelude changes a server (the live primary turns read-only): the same checks as before execution,
            // and the executing mark first, so that an interruption from here on counts as attempted.
            if let reason = whyNotRunning(recovery) { return .abandon(reason: reason) }
            guard await markExecuting(recovery) else {
                return .abandon(reason: "the recovery is no longer running (another leader resolved it)")
            }
            if let reason = await gracefulPrelude(
                graceful, row: recovery.row, uid: recovery.record.uid, command: request.command, trail: recovery.trail)
            {
                return .abandon(reason: reason)
            }
        } else if !request.skipHooks {
            await runDetectionHooksIfNew(recovery.row, trail: recovery.trail)
        }
        return .proceed(())
    }

    /// The candidate and the plan: built-in ranking, then the policy's `rank`, on the topology of now.
    func decide(_ recovery: RecoveryInProgress) async -> PhaseOutcome<RecoveryInProgress.DecidedPlan> {
        let request = recovery.request
        let at = now()
        let instances = controls.annotate(monitor.registry.all(), at: at)
        let downtimed = Set(controls.activeDowntimes(at: at).map(\.key))
        let policyContext = PolicyContext(
            now: at, cluster: recovery.record.clusterName, analysis: PolicyAnalysis(recovery.row),
            node: recovery.record.processingNode, values: ["recovery_uid": recovery.record.uid, "command": request.command])
        let decision = await Self.offload {
            self.decider.plan(
                failed: recovery.row.analyzedInstanceKey, kind: recovery.kind, instances: instances, downtimed: downtimed,
                forcedCandidate: request.forcedCandidate, context: policyContext)
        }
        recovery.trail.record(decision.audit)
        guard let plan = decision.plan else { return .abandon(reason: decision.refusal ?? "no plan") }
        recovery.trail.record(
            "plan: \(plan.kind.rawValue), successor \(plan.successor); followers: "
                + (plan.followers.isEmpty ? "none" : plan.followers.map(\.description).joined(separator: ", "))
                + "; lost: " + (plan.lost.isEmpty ? "none" : plan.lost.map { "\($0.key) (\($0.reason))" }.joined(separator: ", ")))
        return .proceed(
            RecoveryInProgress.DecidedPlan(plan: plan, instances: instances, downtimed: downtimed, policyContext: policyContext))
    }

    /// The policy's `pre_failover`, then `PreFailoverProcesses`, then — for a dead primary, not a graceful takeover —
    /// `PreFailoverFencingProcesses` (both hook phases unless `recover-lite`): any of them may stop the recovery before
    /// a server is changed.
    func preFailover(_ recovery: RecoveryInProgress, _ decided: RecoveryInProgress.DecidedPlan) async -> PhaseOutcome<Void> {
        let pre = await Self.offload {
            self.decider.preFailover(
                plan: decided.plan, instances: decided.instances, downtimed: decided.downtimed,
                context: decided.policyContext)
        }
        recovery.trail.record(pre.audit)
        guard pre.proceed else { return .abandon(reason: pre.reason ?? "pre_failover refused") }
        guard !recovery.request.skipHooks else { return .proceed(()) }
        let context = hookContext(recovery.row, uid: recovery.record.uid, command: recovery.request.command)
        let phase = await hooks.runPhase(configuration.recovery.hooks[.preFailover], phase: .preFailover, context: context)
        recovery.trail.record(Self.describe(phase))
        if let reason = phase.abortReason {
            return .abandon(reason: "PreFailoverProcesses aborted the recovery: \(reason)")
        }
        // STONITH: the operator's hooks cut the unreachable primary off (power, firewall, VIP) before anything is
        // promoted; a failure means it may still take writes, so the recovery stops before changing a server. Not in
        // a graceful takeover: its old primary is alive, read-only, and stays as a replica.
        let fencing = configuration.recovery.hooks[.preFailoverFencing]
        guard recovery.kind == .deadPrimary, recovery.request.graceful == nil, !fencing.isEmpty else { return .proceed(()) }
        let fenced = await hooks.runPhase(fencing, phase: .preFailoverFencing, context: context)
        recovery.trail.record(Self.describe(fenced))
        if let reason = fenced.abortReason {
            return .abandon(reason: "PreFailoverFencingProcesses aborted the recovery: \(reason)")
        }
        return .proceed(())
    }

    /// The plan, step by step, asking before each change whether it may still run (`whyNotRunning`); the
    /// recovery is marked executing first.
    func execute(_ recovery: RecoveryInProgress, _ plan: RecoveryPlan) async -> PhaseOutcome<RecoveryExecutionResult> {
        if let reason = whyNotRunning(recovery) { return .abandon(reason: reason) }
        guard await markExecuting(recovery) else {
            return .abandon(reason: "the recovery is no longer running (another leader resolved it)")
        }
        let trail = recovery.trail
        trail.record("executing \(plan.steps.count) steps")
        let result = await executor.execute(plan, checkStillAllowed: { self.whyNotRunning(recovery) == nil }) { outcome in
            trail.record("\(outcome.step.description): \(Self.describe(outcome.status)) (\(outcome.duration.inMilliseconds) ms)")
        }
        return .proceed(result)
    }

    /// After the execution: downtimes and detached replicas (or the graceful takeover's finish, or its revert),
    /// the resolution stored, and the servers involved probed again soon. Returns the resolved record.
    func resolveOutcome(
        _ recovery: RecoveryInProgress, _ plan: RecoveryPlan, _ result: RecoveryExecutionResult
    ) async -> (record: RecoveryRecord, resolution: RecoveryResolution) {
        let graceful = recovery.request.graceful
        let trail = recovery.trail
        let attempted = result.steps.contains { outcome in
            guard outcome.step.changesServer else { return false }
            if case .skipped = outcome.status { return false }
            return true
        }
        let successorKey = result.successorKey
        var errors = result.errors
        if let successorKey {
            errors += await afterSuccess(plan, result, demotedPrimaryStays: graceful != nil, trail: trail)
            if let graceful {
                errors += await gracefulFinish(graceful, oldPrimary: plan.failed, successor: successorKey, trail: trail)
            }
        } else if graceful != nil {
            await revertReadOnly(plan.failed, trail: trail)
        }
        let resolution = RecoveryResolution(
            endedAt: now(), attempted: attempted, isSuccessful: result.isSuccessful && successorKey != nil,
            successor: successorKey, lostReplicas: result.lostReplicas.map(\.key),
            participatingInstances: [plan.failed] + (successorKey.map { [$0] } ?? []) + result.movedReplicas,
            errors: errors)
        var record = recovery.record
        await resolve(&record, resolution, trail)
        trail.record(
            "resolved: " + (resolution.isSuccessful ? "successful, successor \(successorKey?.description ?? "")" : "failed")
                + (attempted ? "" : " (no server was changed)"))
        monitor.probeSoon([plan.failed] + plan.followers + [plan.successor] + plan.lost.map(\.key))
        return (record, resolution)
    }

    /// The post-failover hooks of the outcome (unless `recover-lite`), then the policy's `post_failover` after a
    /// success.
    func postHooks(
        _ recovery: RecoveryInProgress, _ decided: RecoveryInProgress.DecidedPlan, _ resolution: RecoveryResolution
    ) async {
        let request = recovery.request
        if !request.skipHooks {
            var context = hookContext(recovery.row, uid: recovery.record.uid, command: request.command)
            context.successor = resolution.successor
            context.lostReplicas = resolution.lostReplicas
            context.isSuccessful = resolution.isSuccessful
            context.errors = resolution.errors
            var phases: [HookPhase] =
                resolution.isSuccessful
                ? [recovery.kind == .deadPrimary ? .postMasterFailover : .postIntermediateMasterFailover, .postFailover]
                : [.postUnsuccessfulFailover]
            if request.graceful != nil, resolution.isSuccessful { phases.append(.postGracefulTakeover) }
            for phase in phases {
                let outcome = await hooks.runPhase(configuration.recovery.hooks[phase], phase: phase, context: context)
                recovery.trail.record(Self.describe(outcome))
            }
        }
        let instances = decided.instances
        if resolution.isSuccessful, let successorKey = resolution.successor,
            let failed = instances.first(where: { $0.key == decided.plan.failed }),
            let successor = monitor.registry.instance(successorKey) ?? instances.first(where: { $0.key == successorKey })
        {
            let lines = await Self.offload {
                self.decider.postFailover(
                    failed: failed, successor: successor, downtimed: decided.downtimed, context: decided.policyContext)
            }
            recovery.trail.record(lines)
        }
    }
}
