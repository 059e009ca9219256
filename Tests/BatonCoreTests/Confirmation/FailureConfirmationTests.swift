import BatonCore
import Foundation
import Testing

/// The group's confirmation of a failure, as a table: who saw what, and what the leader may do.
@Suite struct FailureConfirmationTests {
    static let primary = InstanceKey(hostname: "db1", port: 3306)
    static let replica2 = InstanceKey(hostname: "db2", port: 3306)
    static let replica3 = InstanceKey(hostname: "db3", port: 3306)
    static let request = PeerViewRequest(failed: primary, replicas: [replica2, replica3])
    static let voters = ["n1", "n2", "n3"]

    static func dead(_ key: InstanceKey = primary) -> InstanceSighting {
        InstanceSighting(key: key, reachable: false, error: "connect timed out")
    }
    static func writable(_ key: InstanceKey = primary) -> InstanceSighting { InstanceSighting(key: key, reachable: true) }
    static func readOnly(_ key: InstanceKey = primary) -> InstanceSighting {
        InstanceSighting(key: key, reachable: true, readOnly: true)
    }
    static func receiving(_ key: InstanceKey) -> InstanceSighting {
        InstanceSighting(key: key, reachable: true, readOnly: true, source: primary, receiving: true, applying: true)
    }
    static func broken(_ key: InstanceKey) -> InstanceSighting {
        InstanceSighting(key: key, reachable: true, readOnly: true, source: primary, receiving: false, applying: true)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var isPrimary = true
        var views: [String: [InstanceSighting]]
        var decision: FailureConfirmation.Decision
        var aliveBy: [String] = []
        var replicas: [FailureConfirmation.ReplicaState.State]? = nil
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "a crash: nobody reaches the primary, replicas broken everywhere",
            views: ["n1": [dead(), broken(replica2), broken(replica3)], "n2": [dead(), broken(replica2), broken(replica3)],
                    "n3": [dead(), broken(replica2), broken(replica3)]],
            decision: .confirmed, replicas: [.broken, .broken]),
        Row(
            name: "a partial partition: the leader cannot reach the primary, a mediator sees it writable",
            views: ["n2": [dead(), dead(replica2), broken(replica3)], "n3": [writable(), receiving(replica2), broken(replica3)]],
            decision: .refused, aliveBy: ["n3"], replicas: [.receiving, .broken]),
        Row(
            name: "a replica still receiving from the primary denies its death, even unseen",
            views: ["n1": [dead(), receiving(replica2), broken(replica3)], "n2": [dead(), dead(replica2), broken(replica3)],
                    "n3": [dead(), dead(replica2), broken(replica3)]],
            decision: .refused, aliveBy: ["n1"]),
        Row(
            name: "two of three cannot reach it and the third does not answer: a majority agrees",
            views: ["n1": [dead(), broken(replica2), broken(replica3)], "n2": [dead(), broken(replica2), broken(replica3)]],
            decision: .confirmed),
        Row(
            name: "only the leader answered: too few votes, wait",
            views: ["n1": [dead(), dead(replica2), broken(replica3)]],
            decision: .waiting, replicas: [.unknown, .broken]),
        Row(
            name: "a read-only primary reached by two voters: not dead, but not alive either",
            views: ["n1": [dead()], "n2": [readOnly()], "n3": [readOnly()]],
            decision: .refused),
        Row(
            name: "replicas a majority cannot reach are unreachable, not broken",
            views: ["n1": [dead(), dead(replica2), dead(replica3)], "n2": [dead(), dead(replica2), dead(replica3)],
                    "n3": [dead(), dead(replica2), broken(replica3)]],
            decision: .confirmed, replicas: [.unreachable, .broken]),
        Row(
            name: "an intermediate primary reached but with no replica receiving is not alive",
            isPrimary: false,
            views: ["n1": [dead(), broken(replica2)], "n2": [dead(), broken(replica2)], "n3": [writable(), broken(replica2)]],
            decision: .confirmed),
        Row(
            name: "an intermediate primary with a replica receiving from it is alive",
            isPrimary: false,
            views: ["n1": [dead(), dead(replica2)], "n2": [dead(), dead(replica2)], "n3": [readOnly(), receiving(replica2)]],
            decision: .refused, aliveBy: ["n3"]),
    ]

    @Test(arguments: rows)
    func verdict(_ row: Row) {
        let verdict = FailureConfirmation.decide(
            FailureConfirmation.Input(
                request: Self.request, isPrimary: row.isPrimary, voters: Self.voters,
                views: row.views.map { PeerView(node: $0.key, sightings: $0.value) }))
        #expect(verdict.decision == row.decision, "\(verdict.reason)")
        #expect(verdict.seenAliveBy == row.aliveBy)
        #expect(verdict.quorum == 2)
        #expect(verdict.votes.map(\.node) == Self.voters)
        if let replicas = row.replicas { #expect(verdict.replicas.map(\.state) == replicas) }
    }

    @Test func theReasonNamesWhoSawItAliveAndHow() {
        let verdict = FailureConfirmation.decide(
            FailureConfirmation.Input(
                request: Self.request, isPrimary: true, voters: Self.voters,
                views: [PeerView(node: "n2", sightings: [Self.dead()]), PeerView(node: "n3", sightings: [Self.writable()])],
                unanswered: ["n1": "timed out after 2000 ms"]))
        #expect(verdict.reason == "node n3 sees db1:3306 alive: reachable and writable")
        #expect(verdict.votes.first { $0.node == "n1" }?.note == "timed out after 2000 ms")
        #expect(verdict.votes.first { $0.node == "n1" }?.answered == false)
    }

    @Test func waitingNamesTheSilentVoters() {
        let verdict = FailureConfirmation.decide(
            FailureConfirmation.Input(
                request: Self.request, isPrimary: true, voters: Self.voters,
                views: [PeerView(node: "n1", sightings: [Self.dead()])],
                unanswered: ["n2": "connection refused", "n3": "timed out"]))
        #expect(verdict.decision == .waiting)
        #expect(verdict.reason.contains("n2 (connection refused)"))
        #expect(verdict.reason.contains("n3 (timed out)"))
    }

    @Test func aSightingIsReachableOnlyWhenItsLastCheckSucceeded() {
        var instance = Instance(key: Self.primary)
        instance.lastChecked = .init(timeIntervalSince1970: 20)
        instance.lastSeen = .init(timeIntervalSince1970: 10)
        instance.lastError = "connection refused"
        #expect(InstanceSighting(instance) == InstanceSighting(key: Self.primary, reachable: false, error: "connection refused"))
        instance.lastSeen = instance.lastChecked
        #expect(InstanceSighting(instance).isWritable)
    }
}
