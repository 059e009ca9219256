import BatonCore
import Foundation
import Testing

@testable import BatonPolicy

/// The policies in `policies/`, loaded from the repository.
@Suite struct ExamplePolicyTests {
    private func key(_ host: String) -> InstanceKey { InstanceKey(hostname: host, port: 3306) }

    @Test func preferSameDatacenter() throws {
        let policy = try Fixtures.examplePolicy("prefer-same-datacenter.lua")
        #expect(policy.definedFunctions == [.rank])
        let candidates = [
            Fixtures.instance("a", dataCenter: "dc2", region: "us"),
            Fixtures.instance("b", dataCenter: "dc3", region: "eu"),
            Fixtures.instance("c", dataCenter: "dc1", region: "eu"),
            Fixtures.instance("d"),
        ]
        let outcome = try policy.rank(failed: Fixtures.failed, candidates: candidates, context: Fixtures.context())
        guard case .ranked(let order, let reasons) = outcome.value else {
            Issue.record("expected a ranking, got \(outcome.value)")
            return
        }
        #expect(order == [key("c"), key("b"), key("a"), key("d")])
        #expect(reasons[key("c")] == "same data centre as the failed primary (dc1)")
        #expect(reasons[key("d")] == "other data centre (unknown)")
        #expect(outcome.logLines.count == 1)
    }

    @Test func avoidLaggingReplicas() throws {
        let policy = try Fixtures.examplePolicy("avoid-lagging-replicas.lua")
        let candidates = [
            Fixtures.instance("slow", lag: 31), Fixtures.instance("ok", lag: 30), Fixtures.instance("unknown", lag: nil),
            Fixtures.instance("delayed", lag: 0, sqlDelay: 3600), Fixtures.instance("fast", lag: 0),
        ]
        let outcome = try policy.rank(failed: Fixtures.failed, candidates: candidates, context: Fixtures.context())
        guard case .ranked(let order, let reasons) = outcome.value else {
            Issue.record("expected a ranking, got \(outcome.value)")
            return
        }
        #expect(order == [key("ok"), key("unknown"), key("fast")])
        #expect(reasons[key("slow")] == "excluded: 31 s behind (limit 30 s)")
        #expect(reasons[key("unknown")] == "lag unknown (its source is down): its GTID position decides")
        #expect(reasons[key("delayed")] == "excluded: delayed replica (SQL_Delay 3600 s)")

        let allSlow = [Fixtures.instance("slow", lag: 120)]
        #expect(
            try policy.rank(failed: Fixtures.failed, candidates: allSlow, context: Fixtures.context()).value
                == .veto(reason: "no candidate is within 30 s of replication lag, undelayed"))
    }

    @Test func maintenanceWindowVeto() throws {
        let policy = try Fixtures.examplePolicy("maintenance-window-veto.lua")
        #expect(policy.definedFunctions == [.filter, .rank, .preFailover])
        let candidates = Fixtures.candidates
        // Wednesday 10:00 UTC: outside the window, built-in order kept.
        let normal = try policy.rank(failed: Fixtures.failed, candidates: candidates, context: Fixtures.context())
        #expect(normal.value == .ranked(candidates.map(\.key), reasons: [:]))
        // Sunday 2024-06-09 03:00 UTC: inside main-db's window.
        let sunday = Date(timeIntervalSince1970: 1_717_902_000)
        let vetoed = try policy.rank(failed: Fixtures.failed, candidates: candidates, context: Fixtures.context(now: sunday))
        #expect(
            vetoed.value
                == .veto(reason: "maintenance window of main-db:3306 (weekday 7, 02:00-04:00 UTC) at 2024-06-09T03:00:00Z"))
        let pre = try policy.preFailover(failed: Fixtures.failed, candidate: candidates[0], context: Fixtures.context(now: sunday))
        #expect(pre.value.proceed == false)
        // Sunday 04:00 is the end of the window (exclusive); another cluster has no window.
        let after = Date(timeIntervalSince1970: 1_717_905_600)
        #expect(try policy.preFailover(failed: Fixtures.failed, candidate: candidates[0], context: Fixtures.context(now: after)).value.proceed)
        let other = try policy.rank(
            failed: Fixtures.failed, candidates: candidates, context: Fixtures.context(now: sunday, cluster: "other:3306"))
        #expect(other.value == .ranked(candidates.map(\.key), reasons: [:]))
        // Manual-only cluster.
        var legacy = Fixtures.analysis
        legacy.cluster = "legacy-db:3306"
        #expect(try policy.filter(legacy).value == FilterDecision(allowed: false, reason: "legacy cluster: failovers are done by hand"))
        #expect(try policy.filter(Fixtures.analysis).value.allowed)
    }
}
