extension RecoveryPlan {
    /// The plan for a dead intermediate primary: move its replicas by GTID under a sibling or up to its source.
    ///
    /// Options are tried in orchestrator's order — a suitable sibling in the failed one's data centre, a suitable
    /// sibling elsewhere, then the failed one's source ("relocate up") — and the first that loses the fewest
    /// replicas wins. A suitable sibling replicates, has a valid last check, binary log with replica updates, is not
    /// banned, and has the same replication filters as the failed one. Siblings with rule `must`/`prefer` come
    /// first, then those with more replicas, then by key.
    /// - Parameters:
    ///   - replicas: the failed intermediate primary's direct replicas.
    ///   - siblings: the other replicas of its source.
    ///   - source: its source, if known.
    /// - Throws: ``RecoveryPlanError`` `noNewSource` when neither a sibling nor the source can take any replica.
    public static func deadIntermediatePrimary(
        failed: Instance, replicas: [Instance], siblings: [Instance], source: Instance?,
        constraints: PromotionConstraints = PromotionConstraints(), pollSeconds: Int, reasonableCheckSeconds: Int = 1,
        options: RecoveryPlanOptions = RecoveryPlanOptions()
    ) throws(RecoveryPlanError) -> RecoveryPlan {
        let replicas = replicas.filter { $0.key != failed.key }.sorted { $0.key < $1.key }
        let replicaKeys = Set(replicas.map(\.key))
        var notes: [String] = []

        var sameDataCenter: [Instance] = []
        var otherDataCenter: [Instance] = []
        for sibling in siblings.sorted(by: { $0.key < $1.key })
        where sibling.key != failed.key && !replicaKeys.contains(sibling.key) {
            if let reason = siblingProblem(
                sibling, failed: failed, constraints: constraints, pollSeconds: pollSeconds,
                reasonableCheckSeconds: reasonableCheckSeconds)
            {
                notes.append("sibling \(sibling.key) passed over: \(reason)")
            } else if sibling.dataCenter == failed.dataCenter {
                sameDataCenter.append(sibling)
            } else {
                otherDataCenter.append(sibling)
            }
        }
        var choices: [(Instance, String)] = []
        choices += siblingOrder(sameDataCenter).map { ($0, "sibling \($0.key) in the same data centre") }
        choices += siblingOrder(otherDataCenter).map { ($0, "sibling \($0.key) in data centre \"\($0.dataCenter)\"") }
        if let source {
            if !source.isLastCheckValid(pollSeconds: pollSeconds, reasonableCheckSeconds: reasonableCheckSeconds) {
                notes.append("source \(source.key) passed over: its last check is not valid")
            } else if !source.facts.logBinEnabled {
                notes.append("source \(source.key) passed over: its binary log is off")
            } else if !source.isPrimary && !source.facts.logReplicaUpdatesEnabled {
                notes.append("source \(source.key) passed over: log_slave_updates is off")
            } else {
                choices.append((source, "source \(source.key) of \(failed.key)"))
            }
        }

        var best: (source: Instance, why: String, followers: [Instance], lost: [LostReplica])?
        for (candidate, why) in choices {
            var followers: [Instance] = []
            var lost: [LostReplica] = []
            for replica in replicas {
                if let reason = CandidateRanking.cannotFollow(replica, candidate)
                    ?? gtidFollowProblem(replica, source: candidate)
                {
                    lost.append(LostReplica(key: replica.key, reason: reason))
                } else {
                    followers.append(replica)
                }
            }
            if followers.isEmpty {
                notes.append("\(why) passed over: none of the replicas could follow it")
                continue
            }
            if let current = best, current.lost.count <= lost.count { continue }
            best = (candidate, why, followers, lost)
        }
        guard let best else {
            throw RecoveryPlanError(
                code: .noNewSource,
                message: "no sibling or source of \(failed.key) can take its replicas"
                    + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
        }
        notes.insert("moving the replicas under \(best.why)", at: 0)

        var steps: [RecoveryStep] = []
        for follower in best.followers { steps += try stopNicely(follower, options: options) }
        for follower in best.followers { steps += try repoint(follower, under: best.source.key, options: options) }
        return RecoveryPlan(
            kind: .deadIntermediatePrimary, failed: failed.key, candidate: nil, successor: best.source.key,
            followers: best.followers.map(\.key), lost: best.lost, setsOldPrimaryReadOnly: false, steps: steps,
            notes: notes)
    }

    static func siblingProblem(
        _ sibling: Instance, failed: Instance, constraints: PromotionConstraints, pollSeconds: Int,
        reasonableCheckSeconds: Int
    ) -> String? {
        if !sibling.isLastCheckValid(pollSeconds: pollSeconds, reasonableCheckSeconds: reasonableCheckSeconds) {
            return "its last check is not valid"
        }
        if !sibling.isReplicating { return "it is not replicating" }
        if !sibling.facts.logBinEnabled { return "its binary log is off" }
        if !sibling.facts.logReplicaUpdatesEnabled { return "log_slave_updates is off" }
        if sibling.promotionRule == .mustNot { return "its promotion rule is must_not" }
        if let pattern = constraints.ignoredFilter(matching: sibling.key.hostname) {
            return "its host name matches PromotionIgnoreHostnameFilters \"\(pattern)\""
        }
        if (sibling.facts.replication?.hasReplicationFilters ?? false)
            != (failed.facts.replication?.hasReplicationFilters ?? false)
        {
            return "its replication filters differ from \(failed.key)'s"
        }
        return nil
    }

    /// Preferred siblings (`must`, `prefer`) first, then more replicas, then key.
    static func siblingOrder(_ siblings: [Instance]) -> [Instance] {
        siblings.sorted { a, b in
            let aPreferred = a.promotionRule == .must || a.promotionRule == .prefer
            let bPreferred = b.promotionRule == .must || b.promotionRule == .prefer
            if aPreferred != bPreferred { return aPreferred }
            if a.facts.replicaKeys.count != b.facts.replicaKeys.count {
                return a.facts.replicaKeys.count > b.facts.replicaKeys.count
            }
            return a.key < b.key
        }
    }
}
