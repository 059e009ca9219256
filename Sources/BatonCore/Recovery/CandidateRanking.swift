/// Chooses which replica of a failed primary to promote, deterministically, and says why.
///
/// Pure. Eligibility first (valid last check, binary log with replica updates, not `must_not`, not filtered, the
/// configured data-centre/region/lag/SQL-thread constraints). Then the most advanced replicas come first — a replica
/// behind another cannot become its source without losing transactions — and among those: promotion rule
/// (`must`, `prefer`, `neutral`, `prefer_not`), same data centre as the failed primary, fewest replicas that could
/// not follow it, then key.
public enum CandidateRanking {
    public struct Ranked: Sendable, Equatable {
        public var key: InstanceKey
        /// Replicas that could not replicate from this candidate, with why.
        public var wouldLose: [InstanceKey: String]
        /// Why it stands where it stands, for the audit.
        public var notes: [String]
    }

    public struct Result: Sendable, Equatable {
        /// Eligible candidates, best first.
        public var ranked: [Ranked]
        /// Replicas that may not be promoted, with the reason.
        public var excluded: [InstanceKey: String]
        public var best: Ranked? { ranked.first }
    }

    public static func rank(
        failed: Instance, replicas: [Instance], constraints: PromotionConstraints, pollSeconds: Int,
        reasonableCheckSeconds: Int = 1
    ) -> Result {
        var excluded: [InstanceKey: String] = [:]
        var eligible: [Instance] = []
        for replica in replicas.sorted(by: { $0.key < $1.key }) {
            if let reason = exclusion(
                of: replica, failed: failed, constraints: constraints, pollSeconds: pollSeconds,
                reasonableCheckSeconds: reasonableCheckSeconds)
            {
                excluded[replica.key] = reason
            } else {
                eligible.append(replica)
            }
        }
        let ranked = eligible.map { candidate -> (Instance, Ranked, Bool) in
            var lose: [InstanceKey: String] = [:]
            for other in replicas where other.key != candidate.key {
                if let reason = cannotFollow(other, candidate) { lose[other.key] = reason }
            }
            // Behind some other eligible replica: promoting it would strand that replica's extra transactions.
            let behind = eligible.contains { $0.key != candidate.key && GTIDProgress.compare($0.facts, candidate.facts) == .ahead }
            var notes = ["promotion rule \(candidate.promotionRule.rawValue)"]
            if behind { notes.append("behind another replica") }
            if !failed.dataCenter.isEmpty { notes.append("data centre \(candidate.dataCenter.isEmpty ? "unknown" : candidate.dataCenter)") }
            if !lose.isEmpty { notes.append("\(lose.count) replica(s) could not follow it") }
            return (candidate, Ranked(key: candidate.key, wouldLose: lose, notes: notes), behind)
        }
        let ordered = ranked.sorted { left, right in
            let l = sortKey(left.0, behind: left.2, lost: left.1.wouldLose.count, failed: failed)
            let r = sortKey(right.0, behind: right.2, lost: right.1.wouldLose.count, failed: failed)
            return l < r
        }
        return Result(ranked: ordered.map(\.1), excluded: excluded)
    }

    static func sortKey(_ candidate: Instance, behind: Bool, lost: Int, failed: Instance) -> SortKey {
        SortKey(
            behind: behind ? 1 : 0, rule: ruleOrder(candidate.promotionRule),
            otherDataCenter: !failed.dataCenter.isEmpty && candidate.dataCenter != failed.dataCenter ? 1 : 0,
            lost: lost, key: candidate.key)
    }

    struct SortKey: Comparable {
        var behind: Int
        var rule: Int
        var otherDataCenter: Int
        var lost: Int
        var key: InstanceKey

        static func < (a: SortKey, b: SortKey) -> Bool {
            (a.behind, a.rule, a.otherDataCenter, a.lost) != (b.behind, b.rule, b.otherDataCenter, b.lost)
                ? (a.behind, a.rule, a.otherDataCenter, a.lost) < (b.behind, b.rule, b.otherDataCenter, b.lost)
                : a.key < b.key
        }
    }

    static func ruleOrder(_ rule: PromotionRule) -> Int {
        switch rule {
        case .must: 0
        case .prefer: 1
        case .neutral: 2
        case .preferNot: 3
        case .mustNot: 4
        }
    }

    /// Why `replica` may not be promoted, or `nil` when it may.
    static func exclusion(
        of replica: Instance, failed: Instance, constraints: PromotionConstraints, pollSeconds: Int,
        reasonableCheckSeconds: Int
    ) -> String? {
        let facts = replica.facts
        if !replica.isLastCheckValid(pollSeconds: pollSeconds, reasonableCheckSeconds: reasonableCheckSeconds) {
            return "its last check is not valid"
        }
        if !facts.logBinEnabled { return "its binary log is off" }
        if !facts.logReplicaUpdatesEnabled { return "log_slave_updates is off, so its replicas would miss transactions" }
        if replica.promotionRule == .mustNot { return "its promotion rule is must_not" }
        if let pattern = constraints.ignoredFilter(matching: replica.key.hostname) {
            return "its host name matches PromotionIgnoreHostnameFilters \"\(pattern)\""
        }
        if constraints.preventCrossDataCenter && replica.dataCenter != failed.dataCenter {
            return "it is in data centre \"\(replica.dataCenter)\", the primary was in \"\(failed.dataCenter)\" "
                + "(PreventCrossDataCenterMasterFailover)"
        }
        if constraints.preventCrossRegion && replica.region != failed.region {
            return "it is in region \"\(replica.region)\", the primary was in \"\(failed.region)\" "
                + "(PreventCrossRegionMasterFailover)"
        }
        if constraints.failOnLagMinutes > 0, let lag = facts.replication?.secondsBehindSource,
            lag > constraints.failOnLagMinutes * 60
        {
            return "it lags \(lag) s, more than FailMasterPromotionOnLagMinutes \(constraints.failOnLagMinutes)"
        }
        if constraints.failIfSQLThreadNotUpToDate, let replication = facts.replication,
            (replication.execSourceLogFile, replication.execSourceLogPosition)
                < (replication.readSourceLogFile, replication.readSourceLogPosition)
        {
            return "its SQL thread has not applied everything it received (FailMasterPromotionIfSQLThreadNotUpToDate)"
        }
        return nil
    }

    /// Why `replica` could not replicate from `candidate`, or `nil` when it can.
    static func cannotFollow(_ replica: Instance, _ candidate: Instance) -> String? {
        if GTIDProgress.compare(replica.facts, candidate.facts) == .ahead {
            return "it has transactions \(candidate.key) lacks"
        }
        if GTIDProgress.compare(replica.facts, candidate.facts) == .incomparable
            && !(replica.facts.executedGTIDSet.isEmpty && candidate.facts.executedGTIDSet.isEmpty)
        {
            return "its executed transactions and \(candidate.key)'s have diverged"
        }
        if let mine = replica.facts.version, let theirs = candidate.facts.version,
            (mine.major, mine.minor) < (theirs.major, theirs.minor)
        {
            return "it runs \(mine.majorVersion), older than \(candidate.key)'s \(theirs.majorVersion)"
        }
        if replica.facts.logBinEnabled && replica.facts.logReplicaUpdatesEnabled,
            formatOrder(candidate.facts.binlogFormat) > formatOrder(replica.facts.binlogFormat)
        {
            return "it logs \(replica.facts.binlogFormat) and cannot log \(candidate.facts.binlogFormat) events"
        }
        return nil
    }

    static func formatOrder(_ format: String) -> Int {
        switch format.uppercased() {
        case "STATEMENT": 1
        case "MIXED": 2
        case "ROW": 3
        default: 0
        }
    }
}
