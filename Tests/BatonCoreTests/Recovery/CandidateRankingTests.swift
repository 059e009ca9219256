import BatonCore
import Foundation
import Testing

@Suite struct CandidateRankingTests {
    typealias F = TopologyFixtures

    /// A replica of port 1 at MariaDB position `0-1-<sequence>`.
    func replica(_ port: Int, at sequence: Int, rule: PromotionRule = .neutral, dataCenter: String = "") -> Instance {
        var instance = F.instance(port, source: 1, readOnly: true)
        instance.facts.executedGTIDSet = "0-1-\(sequence)"
        instance.promotionRule = rule
        instance.dataCenter = dataCenter
        return instance
    }

    var failed: Instance {
        var primary = F.instance(1)
        primary.dataCenter = "east"
        return primary
    }

    func rank(_ replicas: [Instance], _ constraints: PromotionConstraints = .init()) -> CandidateRanking.Result {
        CandidateRanking.rank(failed: failed, replicas: replicas, constraints: constraints, pollSeconds: 5)
    }

    @Test func theMostAdvancedReplicaWinsOverAPreferredOneThatIsBehind() {
        let result = rank([replica(2, at: 100, rule: .prefer), replica(3, at: 101)])
        #expect(result.best?.key == F.key(3))
        #expect(result.ranked.last?.notes.contains("behind another replica") == true)
        // Promoting 2 would strand 3's extra transaction.
        #expect(result.ranked.last?.wouldLose[F.key(3)] != nil)
    }

    @Test func atEqualPositionsThePromotionRuleDecidesThenDataCentreThenKey() {
        let result = rank([
            replica(2, at: 100, rule: .preferNot), replica(3, at: 100), replica(4, at: 100, dataCenter: "east"),
            replica(5, at: 100, rule: .prefer), replica(6, at: 100),
        ])
        #expect(result.ranked.map(\.key.port) == [5, 4, 3, 6, 2])
        #expect(result.best?.wouldLose.isEmpty == true)
    }

    @Test func ineligibleReplicasAreExcludedWithAReason() {
        var invalid = replica(2, at: 200)
        invalid.lastChecked = invalid.lastSeen?.addingTimeInterval(1)
        var noLogUpdates = replica(3, at: 200)
        noLogUpdates.facts.logReplicaUpdatesEnabled = false
        let banned = replica(4, at: 200, rule: .mustNot)
        var filtered = replica(5, at: 200)
        filtered.key = InstanceKey(hostname: "backup-1", port: 5)
        let west = replica(6, at: 200, dataCenter: "west")
        let east = replica(7, at: 100, dataCenter: "east")
        let result = rank(
            [invalid, noLogUpdates, banned, filtered, west, east],
            PromotionConstraints(preventCrossDataCenter: true, ignoreHostnameFilters: ["^backup-"]))
        #expect(result.ranked.map(\.key) == [east.key])
        #expect(result.excluded[invalid.key]?.contains("last check") == true)
        #expect(result.excluded[noLogUpdates.key]?.contains("log_slave_updates") == true)
        #expect(result.excluded[banned.key]?.contains("must_not") == true)
        #expect(result.excluded[filtered.key]?.contains("PromotionIgnoreHostnameFilters") == true)
        #expect(result.excluded[west.key]?.contains("PreventCrossDataCenterMasterFailover") == true)
        // The excluded replicas that got further than the chosen one cannot follow it.
        #expect(result.best?.wouldLose[west.key]?.contains("transactions") == true)
    }

    @Test func lagAndUnappliedRelayLogsExcludeWhenConfigured() {
        var lagging = replica(2, at: 100)
        lagging.facts.replication?.secondsBehindSource = 600
        var unapplied = replica(3, at: 100)
        unapplied.facts.replication?.readSourceLogFile = "bin.000002"
        unapplied.facts.replication?.execSourceLogFile = "bin.000001"
        let result = rank(
            [lagging, unapplied, replica(4, at: 100)],
            PromotionConstraints(failOnLagMinutes: 5, failIfSQLThreadNotUpToDate: true))
        #expect(result.ranked.map(\.key.port) == [4])
        #expect(result.excluded[lagging.key]?.contains("600 s") == true)
        #expect(result.excluded[unapplied.key]?.contains("SQL thread") == true)
        #expect(rank([lagging, unapplied]).ranked.count == 2, "without the keys both are eligible")
    }

    @Test func anOlderVersionOrAnIncompatibleBinlogFormatCannotFollow() {
        var newer = replica(2, at: 100)
        newer.facts.version = ServerVersion(parsing: "11.4.2-MariaDB")
        var statement = replica(3, at: 100)
        statement.facts.binlogFormat = "STATEMENT"
        let result = rank([newer, statement, replica(4, at: 100)])
        let promotedNewer = result.ranked.first { $0.key == newer.key }
        #expect(promotedNewer?.wouldLose[F.key(4)]?.contains("older") == true)
        #expect(promotedNewer?.wouldLose[statement.key] != nil)
        // 4 loses only the STATEMENT-logging replica; 3 itself loses nobody and wins.
        #expect(result.best?.key == statement.key)
    }

    @Test(arguments: [
        ("0-1-10", "0-1-9", GTIDProgress.ahead), ("0-1-10", "0-1-10", .same), ("0-1-9", "0-1-10", .behind),
        ("0-1-10,1-2-5", "0-1-10,1-2-6", .behind), ("0-1-11,1-2-5", "0-1-10,1-2-6", .incomparable),
    ])
    func mariaDBProgress(a: String, b: String, expected: GTIDProgress) {
        var left = InstanceFacts.init()
        left.version = ServerVersion(parsing: "10.11.6-MariaDB")
        left.executedGTIDSet = a
        var right = left
        right.executedGTIDSet = b
        #expect(GTIDProgress.compare(left, right) == expected)
    }

    @Test func mysqlProgressIsSetInclusion() {
        var left = InstanceFacts()
        left.version = ServerVersion(parsing: "8.0.36")
        left.executedGTIDSet = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10"
        var right = left
        right.executedGTIDSet = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-8"
        #expect(GTIDProgress.compare(left, right) == .ahead)
        right.executedGTIDSet = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-8,4e11fa47-71ca-11e1-9e33-c80aa9429562:1"
        #expect(GTIDProgress.compare(left, right) == .incomparable)
    }
}
