extension RecoveryPlan {
    /// The plan for a dead primary: promote the best-ranked (or the operator's) replica and move the others under it
    /// by GTID.
    ///
    /// Order: every participating replica (candidate first) stops receiving, applies its relay log and stops
    /// replication; the candidate is promoted; each follower is repointed and started; the old primary is set
    /// read-only (best effort). Replicas that cannot follow are lost and left untouched.
    /// - Parameters:
    ///   - replicas: the failed primary's direct replicas, with their last facts.
    ///   - ranking: ``CandidateRanking/rank(failed:replicas:constraints:pollSeconds:reasonableCheckSeconds:)`` of them.
    ///   - forcedCandidate: the operator's choice; it must be a replica that the ranking did not exclude.
    /// - Throws: ``RecoveryPlanError`` when no candidate qualifies or a statement cannot be built.
    public static func deadPrimary(
        failed: Instance, replicas: [Instance], ranking: CandidateRanking.Result, forcedCandidate: InstanceKey? = nil,
        options: RecoveryPlanOptions = RecoveryPlanOptions()
    ) throws(RecoveryPlanError) -> RecoveryPlan {
        let replicas = replicas.filter { $0.key != failed.key }.sorted { $0.key < $1.key }
        var notes: [String] = []
        let candidate: Instance
        var wouldLose: [InstanceKey: String]
        if let forced = forcedCandidate {
            guard let replica = replicas.first(where: { $0.key == forced }) else {
                throw RecoveryPlanError(
                    code: .candidateNotAReplica, message: "\(forced) is not a replica of \(failed.key)")
            }
            if let reason = ranking.excluded[forced] {
                throw RecoveryPlanError(code: .candidateNotEligible, message: "\(forced) may not be promoted: \(reason)")
            }
            candidate = replica
            wouldLose = ranking.ranked.first { $0.key == forced }?.wouldLose ?? [:]
            if ranking.ranked.first(where: { $0.key == forced }) == nil {
                for other in replicas where other.key != forced {
                    if let reason = CandidateRanking.cannotFollow(other, replica) { wouldLose[other.key] = reason }
                }
            }
            notes.append("\(forced) chosen by the operator")
            if let best = ranking.best, best.key != forced { notes.append("the built-in ranking preferred \(best.key)") }
        } else {
            guard let best = ranking.best, let replica = replicas.first(where: { $0.key == best.key }) else {
                let reasons = ranking.excluded.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                throw RecoveryPlanError(
                    code: .noCandidate,
                    message: "no replica of \(failed.key) may be promoted"
                        + (reasons.isEmpty ? " (it has no replicas)" : " (\(reasons.joined(separator: "; ")))"))
            }
            candidate = replica
            wouldLose = best.wouldLose
            notes.append("\(best.key) ranked first: \(best.notes.joined(separator: ", "))")
        }
        guard let candidateVersion = candidate.facts.version else {
            throw RecoveryPlanError(code: .unknownVersion, message: "the version of candidate \(candidate.key) is unknown")
        }

        var followers: [Instance] = []
        var lost: [LostReplica] = []
        for replica in replicas where replica.key != candidate.key {
            if let reason = wouldLose[replica.key] ?? gtidFollowProblem(replica, source: candidate) {
                lost.append(LostReplica(key: replica.key, reason: reason))
            } else {
                followers.append(replica)
            }
        }

        var steps: [RecoveryStep] = []
        for instance in [candidate] + followers {
            steps += try stopNicely(instance, options: options)
        }
        if options.applyPromotion {
            let statements = ReplicationStatements(version: candidateVersion)
            steps.append(.promote(candidate.key, statements: [
                statements.stopReplication, statements.resetReplicationAll, ReplicationStatements.setReadOnly(false),
            ]))
        } else {
            notes.append("ApplyMySQLPromotionAfterMasterFailover is off: \(candidate.key) keeps its replication settings and read_only")
        }
        for follower in followers {
            steps += try repoint(follower, under: candidate.key, options: options)
        }
        if options.applyPromotion {
            steps.append(.setReadOnly(failed.key, statement: ReplicationStatements.setReadOnly(true)))
        }
        return RecoveryPlan(
            kind: .deadPrimary, failed: failed.key, candidate: candidate.key, successor: candidate.key,
            followers: followers.map(\.key), lost: lost, setsOldPrimaryReadOnly: options.applyPromotion, steps: steps,
            notes: notes)
    }

    /// Why `replica` cannot be repointed under `source` by GTID, or `nil` when it can.
    static func gtidFollowProblem(_ replica: Instance, source: Instance) -> String? {
        guard let mine = replica.facts.version else { return "its version is unknown" }
        guard let theirs = source.facts.version else { return "the version of \(source.key) is unknown" }
        if mine.isMariaDB != theirs.isMariaDB {
            return "it runs \(mine.flavor.rawValue) and \(source.key) runs \(theirs.flavor.rawValue)"
        }
        guard replica.facts.replication?.usesGTIDPositioning == true else {
            return "it does not replicate by GTID (Baton only repoints by GTID)"
        }
        if !theirs.isMariaDB && !source.facts.supportsOracleGTID {
            return "\(source.key) has gtid_mode \(source.facts.gtidMode)"
        }
        return nil
    }

    /// Stop receiving, apply the relay log, stop replication.
    static func stopNicely(_ instance: Instance, options: RecoveryPlanOptions) throws(RecoveryPlanError) -> [RecoveryStep] {
        let statements = try statements(for: instance)
        return [
            .stopReceiving(instance.key, statement: statements.stopIOThread),
            .awaitRelayLogApplied(
                instance.key, statusQuery: statements.showReplicationStatus,
                timeoutSeconds: options.relayLogApplyTimeoutSeconds),
            .stopReplication(instance.key, statement: statements.stopReplication),
        ]
    }

    /// Change the source by GTID, start replication, wait until it runs.
    static func repoint(
        _ instance: Instance, under source: InstanceKey, options: RecoveryPlanOptions
    ) throws(RecoveryPlanError) -> [RecoveryStep] {
        let statements = try statements(for: instance)
        return [
            .repoint(
                instance.key, newSource: source,
                statements: [try statements.changeSource(to: source), statements.startReplication]),
            .awaitReplicating(
                instance.key, statusQuery: statements.showReplicationStatus,
                timeoutSeconds: options.replicationStartTimeoutSeconds),
        ]
    }

    static func statements(for instance: Instance) throws(RecoveryPlanError) -> ReplicationStatements {
        guard let version = instance.facts.version else {
            throw RecoveryPlanError(code: .unknownVersion, message: "the version of \(instance.key) is unknown")
        }
        return ReplicationStatements(version: version)
    }
}
