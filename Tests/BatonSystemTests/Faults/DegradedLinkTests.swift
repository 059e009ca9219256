import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Links that are degraded rather than cut: one direction dropped, random loss. The primary never dies, so whatever
/// Raft goes through, no recovery may run; afterwards one leader remains and every node holds the same state.
@Suite(.serialized) struct DegradedLinkTests {
    @Test func oneWayCutsAndRandomLossCauseNoFailover() async throws {
        let layout = DataCentreIsolationTests.threeDataCentres
        let lab = try await DataCentreLab.start(layout)
        defer { lab.tearDown() }
        try await lab.discoverAndWait(primary: 1)
        try await lab.makeLeader(0)

        // DC2 can hear DC1 but not answer it: node 2 and replicas 3 and 4 lose the primary; node 1 keeps a quorum
        // through node 3.
        try lab.lab.cutOneWay(from: 2, to: 1)
        try await Task.sleep(for: .seconds(12))
        try lab.lab.heal()
        // 20% of the packets between data centres lost, into every data centre.
        for centre in 1...3 { try lab.lab.loss(percent: 20, into: centre) }
        try await Task.sleep(for: .seconds(12))
        try lab.lab.heal()

        let leader = try #require(try await lab.waitForLeader(), "no single leader after healing:\n\(lab.logs())")
        // The replicas of DC2 replicate from the primary again, and a write through a follower reaches all nodes.
        try await lab.expectReplicates(from: 1, to: [2, 3, 4, 5], run: 1)
        let key = lab.sandbox.key(3)
        let follower = (leader + 1) % 3
        let (status, body) = try await lab.nodes[follower].api.get(
            "begin-downtime/\(key.hostname)/\(key.port)/degraded/after-the-faults/1h")
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        for index in lab.nodes.indices {
            let (_, replicated) = try await lab.nodes[index].api.poll([InstanceDocument].self, "downtimed", timeout: .seconds(20)) {
                $0.contains { $0.downtimeReason == "after-the-faults" }
            }
            #expect(replicated, "node \(index + 1) did not get the write:\n\(lab.logs())")
        }
        var recoveries = 0
        for index in lab.nodes.indices {
            recoveries += await lab.recoveries(on: index)?.count ?? 0
            #expect(lab.nodes[index].hookLines().isEmpty, "node \(index + 1) ran hooks: \(lab.nodes[index].hookLines())")
        }
        #expect(recoveries == 0, "a recovery ran although the primary never died:\n\(lab.logs())")
        FaultRuns.record(["scenario": "degraded-links", "run": 1, "recoveries": recoveries])
    }
}
