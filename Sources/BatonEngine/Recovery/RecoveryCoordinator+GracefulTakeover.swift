import BatonCore
import BatonHooks
import BatonMySQL
import BatonStore
import Foundation

extension RecoveryCoordinator {
    /// `graceful-master-takeover[-auto]/:clusterHint[/:designatedHost/:designatedPort]`: hands the primary role of a
    /// healthy cluster to one of the primary's replicas without losing a transaction.
    ///
    /// `PreGracefulTakeoverProcesses` → the primary goes read-only → the designated replica catches up with the
    /// primary's GTID position (at most `ReasonableMaintenanceReplicationLagSeconds`) → the dead-primary recovery with
    /// that candidate (pre/post-failover hooks included, `{command}` = `graceful-master-takeover`) → the old primary
    /// replicates from the new one (started by the `-auto` form) → `PostGracefulTakeoverProcesses`. If anything
    /// fails before the promotion, the old primary is made writable again.
    public func gracefulMasterTakeover(
        cluster: String, designated: InstanceKey?, auto: Bool
    ) async -> Result<RecoveryRecord, RecoveryRefusal> {
        guard leadership.isLeader else { return .failure(RecoveryRefusal("this node is not the leader")) }
        let rows = detector.analyze()
        let instances = controls.annotate(monitor.registry.all(), at: now())
        let primaries = instances.filter { $0.clusterName == cluster && $0.isPrimary && !$0.isCoPrimary }
        guard primaries.count == 1, let primary = primaries.first,
            var row = rows.first(where: { $0.analyzedInstanceKey == primary.key })
        else {
            return .failure(RecoveryRefusal("graceful-master-takeover: cluster \(cluster) must have exactly one primary"))
        }
        guard primary.isLastCheckValid(pollSeconds: configuration.pollSeconds, reasonableCheckSeconds: configuration.reasonableCheckSeconds) else {
            return .failure(RecoveryRefusal("graceful-master-takeover: the primary \(primary.key) is not reachable; use recover or force-master-failover"))
        }
        let replicas = instances.filter { $0.sourceKey == primary.key }
        guard !replicas.isEmpty else {
            return .failure(RecoveryRefusal("graceful-master-takeover: the primary \(primary.key) has no replicas"))
        }
        let target: Instance
        if let designated {
            guard let replica = replicas.first(where: { $0.key == designated }) else {
                return .failure(RecoveryRefusal(
                    "graceful-master-takeover: \(designated) must be directly replicating from the primary \(primary.key)"))
            }
            target = replica
        } else if replicas.count == 1 {
            target = replicas[0]
        } else if auto {
            let ranking = CandidateRanking.rank(
                failed: primary, replicas: replicas, constraints: configuration.recovery.constraints,
                pollSeconds: configuration.pollSeconds, reasonableCheckSeconds: configuration.reasonableCheckSeconds)
            guard let best = ranking.best, let replica = replicas.first(where: { $0.key == best.key }) else {
                return .failure(RecoveryRefusal("graceful-master-takeover: no replica of \(primary.key) may be promoted"))
            }
            target = replica
        } else {
            return .failure(RecoveryRefusal(
                "graceful-master-takeover: target instance not indicated, auto=false, and the primary has \(replicas.count) replicas"))
        }
        if target.promotionRule == .mustNot {
            return .failure(RecoveryRefusal("graceful-master-takeover: \(target.key) has promotion rule must_not"))
        }
        let lag = target.facts.replication?.secondsBehindSource
        guard let lag, lag <= configuration.recovery.maintenanceLagSeconds else {
            return .failure(RecoveryRefusal(
                "graceful-master-takeover: \(target.key) lags "
                    + (lag.map { "\($0) s" } ?? "an unknown time")
                    + " (ReasonableMaintenanceReplicationLagSeconds is \(configuration.recovery.maintenanceLagSeconds))"))
        }
        let credentials: (user: String, password: Secret)
        switch await replicationCredentials(designated: target.key) {
        case .success(let found): credentials = found
        case .failure(let refusal): return .failure(refusal)
        }

        row.analysis = .deadMaster
        row.isActionableRecovery = true
        row.commandHint = auto ? "graceful-master-takeover-auto" : "graceful-master-takeover"
        row.description = "graceful takeover of \(primary.key) by \(target.key)"
        return await manual(
            RecoveryRequest(
                analysis: row, command: "graceful-master-takeover", forcedCandidate: target.key,
                graceful: RecoveryRequest.GracefulTakeover(
                    designated: target.key, startReplication: auto, replicationUser: credentials.user,
                    replicationPassword: credentials.password)))
    }

    /// The account the demoted primary replicates with: `MySQLReplicationUser`/`MySQLReplicationPassword`, else
    /// the first row of `ReplicationCredentialsQuery` run on the designated replica.
    func replicationCredentials(designated: InstanceKey) async -> Result<(user: String, password: Secret), RecoveryRefusal> {
        let settings = configuration.recovery
        if !settings.replicationUser.isEmpty {
            return .success((settings.replicationUser, settings.replicationPassword))
        }
        guard !settings.replicationCredentialsQuery.isEmpty else {
            return .failure(RecoveryRefusal(
                "graceful-master-takeover needs replication credentials for the demoted primary: set "
                    + "MySQLReplicationUser and MySQLReplicationPassword, or ReplicationCredentialsQuery"))
        }
        do {
            let results = try await executor.run([settings.replicationCredentialsQuery], on: designated)
            guard let row = results.first?.rows.first, let user = row[0], !user.isEmpty else {
                return .failure(RecoveryRefusal("ReplicationCredentialsQuery returned no user on \(designated)"))
            }
            return .success((user, Secret(row[1] ?? "")))
        } catch {
            return .failure(RecoveryRefusal("ReplicationCredentialsQuery failed on \(designated): \(error.code.rawValue)"))
        }
    }

    /// Before the promotion: hooks, the primary read-only, the designated replica caught up. Returns why the
    /// takeover cannot go on (the primary is then writable again), or `nil`.
    func gracefulPrelude(
        _ graceful: RecoveryRequest.GracefulTakeover, row: ReplicationAnalysis, uid: String, command: String,
        trail: RecoveryAuditTrail
    ) async -> String? {
        var context = hookContext(row, uid: uid, command: command)
        context.successor = graceful.designated
        let phase = await hooks.runPhase(
            configuration.recovery.hooks[.preGracefulTakeover], phase: .preGracefulTakeover, context: context)
        trail.record(Self.describe(phase))
        if let reason = phase.abortReason { return "PreGracefulTakeoverProcesses aborted the takeover: \(reason)" }

        let primary = row.analyzedInstanceKey
        guard let primaryVersion = monitor.registry.instance(primary)?.facts.version,
            let replicaVersion = monitor.registry.instance(graceful.designated)?.facts.version
        else { return "the versions of \(primary) and \(graceful.designated) are unknown" }
        guard leadership.isLeader else { return "this node is no longer the leader" }
        do {
            _ = try await executor.run([ReplicationStatements.setReadOnly(true)], on: primary)
            trail.record("set \(primary) read-only")
            let position = try await executor.run(
                [ReplicationStatements(version: primaryVersion).executedGTIDQuery], on: primary
            ).first?.rows.first?[0] ?? ""
            let seconds = max(1, configuration.recovery.maintenanceLagSeconds)
            let wait = try ReplicationStatements(version: replicaVersion).waitForGTID(position, seconds: seconds)
            let answer = try await executor.run([wait], on: graceful.designated).first?.rows.first?[0]
            guard answer == "0" else {
                await revertReadOnly(primary, trail: trail)
                return "\(graceful.designated) did not reach \(primary)'s position \(position) within \(seconds) s"
            }
            trail.record("\(graceful.designated) applied everything up to \(primary)'s position \(position)")
        } catch let error as RecoveryExecutionError {
            await revertReadOnly(primary, trail: trail)
            return "preparing the takeover failed: \(error)"
        } catch {
            await revertReadOnly(primary, trail: trail)
            return "preparing the takeover failed: \(error)"
        }
        return nil
    }

    /// After a successful promotion: the demoted primary replicates from the new one (started by the `-auto` form).
    func gracefulFinish(
        _ graceful: RecoveryRequest.GracefulTakeover, oldPrimary: InstanceKey, successor: InstanceKey,
        trail: RecoveryAuditTrail
    ) async -> [String] {
        guard let version = monitor.registry.instance(oldPrimary)?.facts.version else {
            return ["the version of \(oldPrimary) is unknown: it was not repointed"]
        }
        let statements = ReplicationStatements(version: version)
        let password = graceful.replicationPassword.value
        do {
            let change = try statements.changeSource(
                to: successor, user: graceful.replicationUser, password: password)
            _ = try await executor.run(
                [statements.stopReplication, change] + (graceful.startReplication ? [statements.startReplication] : []),
                on: oldPrimary)
            trail.record(
                "\(oldPrimary) now replicates from \(successor) as \(graceful.replicationUser) (password not shown)"
                    + (graceful.startReplication ? "; replication started" : "; replication left stopped (use the -auto form to start it)"))
            return []
        } catch {
            // The failed statement may hold the password: never echo it.
            var message = "\(error)"
            if !password.isEmpty { message = message.replacingOccurrences(of: password, with: "<redacted>") }
            trail.record("could not make \(oldPrimary) replicate from \(successor): \(message)")
            return ["could not make \(oldPrimary) replicate from \(successor): \(message)"]
        }
    }

    func revertReadOnly(_ primary: InstanceKey, trail: RecoveryAuditTrail) async {
        do {
            _ = try await executor.run([ReplicationStatements.setReadOnly(false)], on: primary)
            trail.record("made \(primary) writable again")
        } catch {
            trail.record("could not make \(primary) writable again: \(error)")
        }
    }
}
