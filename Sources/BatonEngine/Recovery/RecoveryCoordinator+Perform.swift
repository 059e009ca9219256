import BatonCore
import BatonHooks
import BatonPolicy
import BatonStore
import Foundation
import Logging

extension RecoveryCoordinator {
    /// Performs one recovery from registration to resolution: register (the cluster's lock) → detection hooks →
    /// candidate (built-in ranking, then the policy's `rank`) → the policy's `pre_failover` → `PreFailoverProcesses`
    /// → the plan, step by step, asking before each change whether this node still leads → downtime the lost →
    /// resolve → post-failover hooks. Every step goes to the recovery's audit trail.
    ///
    /// A recovery that stops before changing a server (veto, pre-failover abort, no candidate) is resolved as not
    /// attempted and does not block its cluster.
    /// - Returns: the resolved recovery, or why none was registered.
    func perform(_ request: RecoveryRequest) async -> Result<RecoveryRecord, RecoveryRefusal> {
        let row = request.analysis
        guard let kind = request.planKind else {
            return .failure(RecoveryRefusal("Baton has no recovery for \(row.analysis.rawValue)"))
        }
        let started = now()
        let detection = try? database.activeDetection(of: row.analyzedInstanceKey, at: started)
        var record = RecoveryRecord(
            uid: UUID().uuidString.lowercased(), failedKey: row.analyzedInstanceKey,
            clusterName: row.clusterDetails.clusterName, clusterAlias: row.clusterDetails.clusterAlias,
            analysis: row.analysis, kind: kind == .deadPrimary ? .masterRecovery : .intermediateMasterRecovery,
            command: request.command, processingNode: leadership.nodeName, startedAt: started,
            lastDetectionID: detection?.id ?? 0, policyHash: decider.policy.contentHash,
            analysisDocument: (try? JSONEncoder().encode(row)) ?? Data("{}".utf8))
        do {
            let result = try await log.submit(.registerRecovery(record))
            if let other = result.lockedBy {
                return .failure(RecoveryRefusal("recovery \(other.id) of \(other.clusterName) is still running"))
            }
            guard let stored = result.recovery else {
                return .failure(RecoveryRefusal("cannot register the recovery: \(result.error ?? "no answer")"))
            }
            record = stored
        } catch {
            return .failure(RecoveryRefusal("cannot register the recovery: \(error)"))
        }
        let trail = RecoveryAuditTrail(uid: record.uid, log: log, logger: logger, now: now)
        trail.record(
            "will handle \(row.analysis.rawValue) on \(row.analyzedInstanceKey) of cluster \(record.clusterName)"
                + (request.command.isEmpty ? " (automatic)" : " (\(request.command))")
                + "; node \(record.processingNode); policy " + (record.policyHash.isEmpty ? "none" : record.policyHash))
        trail.record(request.preamble)
        if let graceful = request.graceful {
            if let reason = await gracefulPrelude(graceful, row: row, uid: record.uid, command: request.command, trail: trail) {
                return await notAttempted(record, trail, reason: reason)
            }
        } else if !request.skipHooks {
            await runDetectionHooksIfNew(row, trail: trail)
        }
        // Once the graceful prelude made the primary read-only, stopping short must make it writable again.
        let registered = record
        let abandon: @Sendable (String) async -> Result<RecoveryRecord, RecoveryRefusal> = { reason in
            if request.graceful != nil { await self.revertReadOnly(row.analyzedInstanceKey, trail: trail) }
            return await self.notAttempted(registered, trail, reason: reason)
        }

        let at = now()
        let instances = controls.annotate(monitor.registry.all(), at: at)
        let downtimed = Set(controls.activeDowntimes(at: at).map(\.key))
        let policyContext = PolicyContext(
            now: at, cluster: record.clusterName, analysis: PolicyAnalysis(row), node: record.processingNode,
            values: ["recovery_uid": record.uid, "command": request.command])
        let decision = await Self.offload {
            self.decider.plan(
                failed: row.analyzedInstanceKey, kind: kind, instances: instances, downtimed: downtimed,
                forcedCandidate: request.forcedCandidate, context: policyContext)
        }
        trail.record(decision.audit)
        guard let plan = decision.plan else { return await abandon(decision.refusal ?? "no plan") }
        trail.record(
            "plan: \(plan.kind.rawValue), successor \(plan.successor); followers: "
                + (plan.followers.isEmpty ? "none" : plan.followers.map(\.description).joined(separator: ", "))
                + "; lost: " + (plan.lost.isEmpty ? "none" : plan.lost.map { "\($0.key) (\($0.reason))" }.joined(separator: ", ")))

        let pre = await Self.offload {
            self.decider.preFailover(plan: plan, instances: instances, downtimed: downtimed, context: policyContext)
        }
        trail.record(pre.audit)
        guard pre.proceed else { return await abandon(pre.reason ?? "pre_failover refused") }

        var context = hookContext(row, uid: record.uid, command: request.command)
        if !request.skipHooks {
            let phase = await hooks.runPhase(configuration.recovery.hooks[.preFailover], phase: .preFailover, context: context)
            trail.record(Self.describe(phase))
            if let reason = phase.abortReason {
                return await abandon("PreFailoverProcesses aborted the recovery: \(reason)")
            }
        }
        guard leadership.isLeader else { return await abandon("this node is no longer the leader") }

        trail.record("executing \(plan.steps.count) steps")
        let leadership = self.leadership
        let result = await executor.execute(plan, checkStillAllowed: { leadership.isLeader }) { outcome in
            trail.record("\(outcome.step.description): \(Self.describe(outcome.status)) (\(outcome.duration.inMilliseconds) ms)")
        }
        let attempted = result.steps.contains { outcome in
            guard outcome.step.changesServer else { return false }
            if case .skipped = outcome.status { return false }
            return true
        }
        let successorKey = result.successorKey
        var errors = result.errors
        if let successorKey {
            errors += await afterSuccess(plan, result, demotedPrimaryStays: request.graceful != nil, trail: trail)
            if let graceful = request.graceful {
                errors += await gracefulFinish(graceful, oldPrimary: plan.failed, successor: successorKey, trail: trail)
            }
        } else if request.graceful != nil {
            await revertReadOnly(plan.failed, trail: trail)
        }
        let resolution = RecoveryResolution(
            endedAt: now(), attempted: attempted, isSuccessful: result.isSuccessful && successorKey != nil,
            successor: successorKey, lostReplicas: result.lostReplicas.map(\.key),
            participatingInstances: [plan.failed] + (successorKey.map { [$0] } ?? []) + result.movedReplicas,
            errors: errors)
        await resolve(&record, resolution, trail)
        trail.record(
            "resolved: " + (resolution.isSuccessful ? "successful, successor \(successorKey?.description ?? "")" : "failed")
                + (attempted ? "" : " (no server was changed)"))
        monitor.probeSoon([plan.failed] + plan.followers + [plan.successor] + plan.lost.map(\.key))

        if !request.skipHooks {
            context.successor = successorKey
            context.lostReplicas = resolution.lostReplicas
            context.isSuccessful = resolution.isSuccessful
            context.errors = errors
            var phases: [HookPhase] =
                resolution.isSuccessful
                ? [kind == .deadPrimary ? .postMasterFailover : .postIntermediateMasterFailover, .postFailover]
                : [.postUnsuccessfulFailover]
            if request.graceful != nil, resolution.isSuccessful { phases.append(.postGracefulTakeover) }
            for phase in phases {
                let outcome = await hooks.runPhase(configuration.recovery.hooks[phase], phase: phase, context: context)
                trail.record(Self.describe(outcome))
            }
        }
        if resolution.isSuccessful, let successorKey,
            let failed = instances.first(where: { $0.key == plan.failed }),
            let successor = monitor.registry.instance(successorKey) ?? instances.first(where: { $0.key == successorKey })
        {
            let lines = await Self.offload {
                self.decider.postFailover(failed: failed, successor: successor, downtimed: downtimed, context: policyContext)
            }
            trail.record(lines)
        }
        trail.record("done")
        await trail.finish()
        return .success(record)
    }

    /// After a successful promotion or move: downtime the failed instance and the lost replicas, detach lost
    /// replicas, end the successor's downtime. Returns errors worth keeping (none of them undo the recovery).
    func afterSuccess(
        _ plan: RecoveryPlan, _ result: RecoveryExecutionResult, demotedPrimaryStays: Bool, trail: RecoveryAuditTrail
    ) async -> [String] {
        var errors: [String] = []
        let at = now()
        let seconds = TimeInterval(configuration.recovery.lostInRecoveryDowntimeSeconds)
        for key in (demotedPrimaryStays ? [] : [plan.failed]) + result.lostReplicas.map(\.key) {
            do {
                let downtime = Downtime(key: key, owner: "baton", reason: "lost-in-recovery", endsAt: at.addingTimeInterval(seconds))
                _ = try await log.submit(.beginDowntime(downtime, beginsAt: at))
                trail.record("downtimed \(key): lost-in-recovery")
            } catch {
                errors.append("cannot downtime \(key): \(error)")
            }
        }
        if plan.kind == .deadPrimary, configuration.recovery.detachLostReplicas {
            for lost in result.lostReplicas {
                guard let version = monitor.registry.instance(lost.key)?.facts.version else { continue }
                let statement = ReplicationStatements(version: version).stopReplication
                do {
                    _ = try await executor.run([statement], on: lost.key)
                    trail.record("detached lost replica \(lost.key): \(statement)")
                } catch {
                    trail.record("could not detach lost replica \(lost.key): \(error)")
                }
            }
        }
        if let successor = result.successorKey, controls.downtime(of: successor, at: at) != nil {
            _ = try? await log.submit(.endDowntime(successor, at: at))
            trail.record("ended the downtime of the successor \(successor)")
        }
        return errors
    }

    func notAttempted(
        _ record: RecoveryRecord, _ trail: RecoveryAuditTrail, reason: String
    ) async -> Result<RecoveryRecord, RecoveryRefusal> {
        var record = record
        trail.record("not attempted: \(reason)")
        await resolve(&record, RecoveryResolution(endedAt: now(), attempted: false, isSuccessful: false, errors: [reason]), trail)
        await trail.finish()
        logger.warning(
            "Recovery not attempted",
            metadata: ["baton.recovery.uid": "\(record.uid)", "baton.instance": "\(record.failedKey)", "baton.reason": "\(reason)"])
        return .failure(RecoveryRefusal(reason, recovery: RecoveryRecordSummary(id: record.id, uid: record.uid)))
    }

    /// Stores the resolution (through the log); retried once, since an unresolved recovery keeps its cluster locked
    /// until the next leader resolves it as interrupted.
    func resolve(_ record: inout RecoveryRecord, _ resolution: RecoveryResolution, _ trail: RecoveryAuditTrail) async {
        record.endedAt = resolution.endedAt
        record.attempted = resolution.attempted
        record.isSuccessful = resolution.isSuccessful
        record.successor = resolution.successor
        record.lostReplicas = resolution.lostReplicas
        record.participatingInstances = resolution.participatingInstances
        record.errors = resolution.errors
        for attempt in 1...2 {
            do {
                _ = try await log.submit(.resolveRecovery(uid: record.uid, resolution))
                return
            } catch {
                logger.error(
                    "Cannot resolve the recovery",
                    metadata: ["baton.recovery.uid": "\(record.uid)", "baton.attempt": "\(attempt)", "baton.error": "\(error)"])
            }
        }
    }

    /// The facts hooks receive, before the successor is known.
    func hookContext(_ row: ReplicationAnalysis, uid: String, command: String) -> HookContext {
        let cluster = row.clusterDetails
        let isIntermediate = RecoveryRequest.planKind(for: row.analysis) == .deadIntermediatePrimary
        return HookContext(
            command: command, failureType: row.analysis,
            instanceType: row.isCoMaster ? "co-master" : isIntermediate ? "intermediate-master" : "master",
            isMaster: row.isMaster, isCoMaster: row.isCoMaster, failureDescription: row.description,
            failedInstance: row.analyzedInstanceKey, failureCluster: cluster.clusterName,
            failureClusterAlias: cluster.clusterAlias, failureClusterDomain: cluster.clusterDomain,
            replicaHosts: row.replicas, countReplicas: row.countReplicas, isDowntimed: row.isDowntimed,
            autoMasterRecovery: configuration.recovery.masterFilter.matchingEntry(
                cluster: cluster.clusterName, alias: cluster.clusterAlias) != nil,
            autoIntermediateMasterRecovery: configuration.recovery.intermediateMasterFilter.matchingEntry(
                cluster: cluster.clusterName, alias: cluster.clusterAlias) != nil,
            orchestratorHost: leadership.nodeName, recoveryUID: uid)
    }

    static func describe(_ status: RecoveryExecutionResult.StepOutcome.Status) -> String {
        switch status {
        case .ok: "ok"
        case .failed(let error): "failed: \(error)"
        case .skipped(let reason): "skipped: \(reason)"
        }
    }
}
