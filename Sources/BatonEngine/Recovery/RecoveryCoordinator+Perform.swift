import BatonCore
import BatonHooks
import BatonPolicy
import BatonStore
import Foundation
import Logging

extension RecoveryCoordinator {
    /// Performs one recovery from registration to resolution, one method per phase (`RecoveryCoordinator+Phases`):
    /// confirm (with Raft: the group agrees the server is dead, `RecoveryCoordinator+Confirmation`) → register (the
    /// cluster's lock) → prelude (the graceful takeover's, or the detection hooks) → decide (built-in
    /// ranking, then the policy's `rank`) → pre-failover (the policy's `pre_failover`, then `PreFailoverProcesses`)
    /// → execute the plan, step by step, asking before each change whether this node still leads in the term it
    /// registered the recovery in, and the recovery still runs in the replicated state → resolve
    /// (downtime the lost, store the resolution) → post hooks. Every step goes to the recovery's audit trail.
    ///
    /// A recovery that stops before changing a server (veto, pre-failover abort, no candidate) is resolved as not
    /// attempted and does not block its cluster.
    /// - Returns: the resolved recovery, or why none was registered.
    func perform(_ request: RecoveryRequest) async -> Result<RecoveryRecord, RecoveryRefusal> {
        guard let kind = request.planKind else {
            return .failure(RecoveryRefusal("Baton has no recovery for \(request.analysis.analysis.rawValue)"))
        }
        let verdict: FailureConfirmation.Verdict?
        switch await confirm(request, kind: kind) {
        case .proceed(let confirmed): verdict = confirmed
        case .abandon(let reason): return .failure(RecoveryRefusal(reason))
        }
        // The term this recovery belongs to: its steps run only while this node still leads in it.
        guard let term = leadership.leadingTerm else { return .failure(RecoveryRefusal("this node is not the leader")) }
        var recovery: RecoveryInProgress
        switch await register(request, kind: kind, confirmation: verdict) {
        case .proceed(let registered): recovery = registered
        case .abandon(let reason): return .failure(RecoveryRefusal(reason))
        }
        recovery.term = term
        if let verdict { recovery.trail.record(Self.describe(verdict)) }
        if case .abandon(let reason) = await prelude(recovery) {
            return await notAttempted(recovery.record, recovery.trail, reason: reason)
        }
        let decided: RecoveryInProgress.DecidedPlan
        switch await decide(recovery) {
        case .proceed(let plan): decided = plan
        case .abandon(let reason): return await abandon(recovery, reason: reason)
        }
        if case .abandon(let reason) = await preFailover(recovery, decided) {
            return await abandon(recovery, reason: reason)
        }
        let result: RecoveryExecutionResult
        switch await execute(recovery, decided.plan) {
        case .proceed(let executed): result = executed
        case .abandon(let reason): return await abandon(recovery, reason: reason)
        }
        let resolved = await resolveOutcome(recovery, decided.plan, result)
        await postHooks(recovery, decided, resolved.resolution)
        recovery.trail.record("done")
        await recovery.trail.finish()
        return .success(resolved.record)
    }

    /// Stops a registered recovery before it changed a server: once the graceful prelude made the primary
    /// read-only, it is made writable again; the recovery is resolved as not attempted.
    func abandon(_ recovery: RecoveryInProgress, reason: String) async -> Result<RecoveryRecord, RecoveryRefusal> {
        if recovery.request.graceful != nil { await revertReadOnly(recovery.row.analyzedInstanceKey, trail: recovery.trail) }
        return await notAttempted(recovery.record, recovery.trail, reason: reason)
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
