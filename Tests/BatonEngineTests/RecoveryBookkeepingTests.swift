import BatonCore
import BatonEngine
import Foundation
import Testing

/// The recovery coordinator's bookkeeping as a table: given these events, this event yields these actions.
/// No database, no network, no clock: times are seconds after `t0`.
struct RecoveryBookkeepingTests {
    typealias Action = RecoveryBookkeeping.Action

    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// A server checked successfully at `t0`.
    static func server(_ key: InstanceKey) -> Instance {
        var instance = Instance(key: key)
        instance.lastAttempted = t0
        instance.lastChecked = t0
        instance.lastSeen = t0
        instance.facts.version = ServerVersion(parsing: "10.11.6-MariaDB-log")
        return instance
    }

    /// A verdict about `127.0.0.1:port` in `cluster`: the analyser's row of a primary with one replica, given `code`.
    static func verdict(_ port: Int, _ code: AnalysisCode, cluster: String) -> ReplicationAnalysis {
        let key = InstanceKey(hostname: "127.0.0.1", port: port)
        var replica = server(InstanceKey(hostname: "127.0.0.2", port: port))
        replica.sourceKey = key
        replica.facts.replication = ReplicationStatus(
            sourceKey: key, ioThread: .running, sqlThread: .running, secondsBehindSource: 0, usingGTID: "Slave_Pos")
        let rows = ReplicationAnalyzer.analyze(AnalysisSnapshot.resolving([server(key), replica], now: t0))
        guard var row = rows.first(where: { $0.analyzedInstanceKey == key }) else {
            preconditionFailure("a primary has an analysis row")
        }
        row.analysis = code
        row.isActionableRecovery = code.isActionable
        row.clusterDetails.clusterName = cluster
        return row
    }

    static let deadMaster = verdict(1, .deadMaster, cluster: "c1")
    /// The same failed server with another verdict.
    static let deadMasterAndSomeReplicas = verdict(1, .deadMasterAndSomeReplicas, cluster: "c1")
    static let otherCluster = verdict(2, .deadMaster, cluster: "c2")
    /// A second failure in the cluster of `deadMaster`.
    static let sameCluster = verdict(3, .deadIntermediateMaster, cluster: "c1")
    static let detectOnly = verdict(4, .unreachableMaster, cluster: "c4")
    /// Actionable, but Baton has no recovery for it.
    static let deadCoMaster = verdict(5, .deadCoMaster, cluster: "c5")

    static let settings = RecoveryBookkeeping.Settings(
        reconsiderInterval: 1, refusalRefreshInterval: 60, interruptedCheckInterval: 5, detectionPeriod: 3600,
        detectionHooksConfigured: true)

    enum Event: Sendable {
        case lead(at: TimeInterval, [ReplicationAnalysis] = [])
        case follow(at: TimeInterval, [ReplicationAnalysis] = [])
        case gate(ReplicationAnalysis, RecoveryGate.Verdict, at: TimeInterval)
        case filterRefused(ReplicationAnalysis, String, at: TimeInterval)
        case detectionHooks(ReplicationAnalysis, at: TimeInterval)
        case acknowledged
        case claim(String)
        case release(String)
    }

    enum Outcome: Sendable, Equatable {
        case actions([Action])
        case answer(Bool)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var given: [Event]
        var when: Event
        var then: Outcome
        var testDescription: String { name }
    }

    static func apply(_ event: Event, to bookkeeping: inout RecoveryBookkeeping) -> Outcome {
        let at = { (seconds: TimeInterval) in t0.addingTimeInterval(seconds) }
        switch event {
        case .lead(let seconds, let verdicts):
            return .actions(bookkeeping.tick(isLeader: true, at: at(seconds), verdicts: verdicts))
        case .follow(let seconds, let verdicts):
            return .actions(bookkeeping.tick(isLeader: false, at: at(seconds), verdicts: verdicts))
        case .gate(let row, let verdict, let seconds):
            return .actions(bookkeeping.gateAnswered(row, verdict: verdict, at: at(seconds)))
        case .filterRefused(let row, let reason, let seconds):
            return .actions(bookkeeping.refused(row, reason: reason, blockingRecovery: nil, at: at(seconds)))
        case .detectionHooks(let row, let seconds):
            return .answer(bookkeeping.detectionHooksRequested(key: row.analyzedInstanceKey, at: at(seconds)))
        case .acknowledged:
            bookkeeping.acknowledged()
            return .actions([])
        case .claim(let cluster):
            return .answer(bookkeeping.claim(cluster: cluster))
        case .release(let cluster):
            bookkeeping.release(cluster: cluster)
            return .actions([])
        }
    }

    static let downtimed = RecoveryGate.Verdict.refused(reason: "downtimed", blockingRecovery: nil)
    static let blocked = RecoveryGate.Verdict.refused(reason: "blocked by recovery 7", blockingRecovery: 7)

    static let cases: [Case] = [
        // Office and interrupted recoveries
        Case(
            name: "taking office resolves interrupted recoveries", given: [], when: .lead(at: 0),
            then: .actions([.announceOffice, .resolveInterrupted, .endLostDowntimes])),
        Case(
            name: "a leader does not look for interrupted recoveries again within 5 s", given: [.lead(at: 0)],
            when: .lead(at: 4.9), then: .actions([.endLostDowntimes])),
        Case(
            name: "a leader looks for interrupted recoveries again after 5 s", given: [.lead(at: 0), .lead(at: 1)],
            when: .lead(at: 5), then: .actions([.resolveInterrupted, .endLostDowntimes])),
        Case(
            name: "a follower does nothing", given: [], when: .follow(at: 0, [deadMaster]), then: .actions([])),
        Case(
            name: "a follower forgets it led: leading again is taking office again",
            given: [.lead(at: 0), .follow(at: 1)], when: .lead(at: 2),
            then: .actions([.announceOffice, .resolveInterrupted, .endLostDowntimes])),
        // Considering verdicts
        Case(
            name: "an actionable verdict is considered", given: [.lead(at: 0)], when: .lead(at: 0.5, [deadMaster]),
            then: .actions([.consider(deadMaster), .endLostDowntimes])),
        Case(
            name: "a verdict without recovery handler is not considered", given: [.lead(at: 0)],
            when: .lead(at: 0.5, [detectOnly]), then: .actions([.endLostDowntimes])),
        Case(
            name: "the same verdict is not reconsidered within the reconsider interval",
            given: [.lead(at: 0, [deadMaster])], when: .lead(at: 0.9, [deadMaster]),
            then: .actions([.endLostDowntimes])),
        Case(
            name: "the same verdict is reconsidered after the reconsider interval",
            given: [.lead(at: 0, [deadMaster])], when: .lead(at: 1, [deadMaster]),
            then: .actions([.consider(deadMaster), .endLostDowntimes])),
        Case(
            name: "a changed verdict is reconsidered at once", given: [.lead(at: 0, [deadMaster])],
            when: .lead(at: 0.1, [deadMasterAndSomeReplicas]),
            then: .actions([.consider(deadMasterAndSomeReplicas), .endLostDowntimes])),
        Case(
            name: "a cluster with a running recovery is not considered", given: [.lead(at: 0), .claim("c1")],
            when: .lead(at: 0.5, [deadMaster, otherCluster]),
            then: .actions([.consider(otherCluster), .endLostDowntimes])),
        Case(
            name: "a released cluster is considered again", given: [.lead(at: 0), .claim("c1"), .release("c1")],
            when: .lead(at: 0.5, [deadMaster]), then: .actions([.consider(deadMaster), .endLostDowntimes])),
        Case(
            name: "one failure per cluster is considered in one tick", given: [.lead(at: 0)],
            when: .lead(at: 0.5, [deadMaster, sameCluster]), then: .actions([.consider(deadMaster), .endLostDowntimes])),
        Case(
            name: "the cluster's next failure is considered at the next tick",
            given: [.lead(at: 0), .lead(at: 0.5, [deadMaster, sameCluster])],
            when: .lead(at: 0.6, [deadMaster, sameCluster]), then: .actions([.consider(sameCluster), .endLostDowntimes])),
        Case(
            name: "acknowledgement makes every failure considered again",
            given: [.lead(at: 0, [deadMaster]), .acknowledged], when: .lead(at: 0.1, [deadMaster]),
            then: .actions([.consider(deadMaster), .endLostDowntimes])),
        // The gate's answer
        Case(
            name: "a go starts the cluster's recovery", given: [], when: .gate(deadMaster, .proceed, at: 0),
            then: .actions([.startRecovery(deadMaster)])),
        Case(
            name: "a refusal is recorded and the detection hooks run", given: [],
            when: .gate(deadMaster, blocked, at: 0),
            then: .actions([
                .recordRefusal(deadMaster, reason: "blocked by recovery 7", blockingRecovery: 7),
                .runDetectionHooks(deadMaster),
            ])),
        Case(
            name: "a go for a verdict Baton cannot recover is a refusal", given: [],
            when: .gate(deadCoMaster, .proceed, at: 0),
            then: .actions([
                .recordRefusal(deadCoMaster, reason: "Baton has no recovery for DeadCoMaster yet", blockingRecovery: nil),
                .runDetectionHooks(deadCoMaster),
            ])),
        Case(
            name: "an identical refusal is not recorded again within a minute",
            given: [.gate(deadMaster, downtimed, at: 0)], when: .gate(deadMaster, downtimed, at: 59),
            then: .actions([])),
        Case(
            name: "an identical refusal is recorded again after a minute", given: [.gate(deadMaster, downtimed, at: 0)],
            when: .gate(deadMaster, downtimed, at: 60),
            then: .actions([.recordRefusal(deadMaster, reason: "downtimed", blockingRecovery: nil)])),
        Case(
            name: "a changed refusal is recorded at once", given: [.gate(deadMaster, downtimed, at: 0)],
            when: .gate(deadMaster, blocked, at: 1),
            then: .actions([.recordRefusal(deadMaster, reason: "blocked by recovery 7", blockingRecovery: 7)])),
        Case(
            name: "acknowledgement makes the same refusal recorded again",
            given: [.gate(deadMaster, downtimed, at: 0), .acknowledged], when: .gate(deadMaster, downtimed, at: 1),
            then: .actions([.recordRefusal(deadMaster, reason: "downtimed", blockingRecovery: nil)])),
        Case(
            name: "the policy filter's refusal is recorded once a minute too",
            given: [.filterRefused(deadMaster, "the policy's filter refused: no", at: 0)],
            when: .filterRefused(deadMaster, "the policy's filter refused: no", at: 30), then: .actions([])),
        // Detection hooks
        Case(
            name: "detection hooks run for a new failure", given: [], when: .detectionHooks(deadMaster, at: 0),
            then: .answer(true)),
        Case(
            name: "detection hooks run once per detection period", given: [.detectionHooks(deadMaster, at: 0)],
            when: .detectionHooks(deadMaster, at: 3599), then: .answer(false)),
        Case(
            name: "detection hooks run again after the detection period", given: [.detectionHooks(deadMaster, at: 0)],
            when: .detectionHooks(deadMaster, at: 3600), then: .answer(true)),
        Case(
            name: "detection hooks of another failure are its own", given: [.detectionHooks(deadMaster, at: 0)],
            when: .detectionHooks(otherCluster, at: 1), then: .answer(true)),
        // The per-cluster lock
        Case(name: "a free cluster can be claimed", given: [], when: .claim("c1"), then: .answer(true)),
        Case(name: "a claimed cluster cannot be claimed twice", given: [.claim("c1")], when: .claim("c1"), then: .answer(false)),
        Case(
            name: "a released cluster can be claimed again", given: [.claim("c1"), .release("c1")], when: .claim("c1"),
            then: .answer(true)),
        Case(name: "claims are per cluster", given: [.claim("c1")], when: .claim("c2"), then: .answer(true)),
    ]

    @Test(arguments: cases)
    func scenario(_ scenario: Case) {
        var bookkeeping = RecoveryBookkeeping(settings: Self.settings)
        for event in scenario.given { _ = Self.apply(event, to: &bookkeeping) }
        #expect(Self.apply(scenario.when, to: &bookkeeping) == scenario.then)
    }

    @Test func withoutDetectionHooksARefusalIsOnlyRecorded() {
        var settings = Self.settings
        settings.detectionHooksConfigured = false
        var bookkeeping = RecoveryBookkeeping(settings: settings)
        #expect(
            bookkeeping.gateAnswered(Self.deadMaster, verdict: Self.downtimed, at: Self.t0)
                == [.recordRefusal(Self.deadMaster, reason: "downtimed", blockingRecovery: nil)])
        #expect(bookkeeping.notifiedUntil.isEmpty)
    }

    @Test func aFollowerForgetsItLedAndKeepsItsMemoryOfFailures() {
        var bookkeeping = RecoveryBookkeeping(settings: Self.settings)
        _ = bookkeeping.tick(isLeader: true, at: Self.t0, verdicts: [Self.deadMaster])
        #expect(bookkeeping.wasLeader)
        #expect(bookkeeping.interruptedCheckedAt == Self.t0)
        _ = bookkeeping.tick(isLeader: false, at: Self.t0.addingTimeInterval(1), verdicts: [Self.deadMaster])
        #expect(!bookkeeping.wasLeader)
        #expect(bookkeeping.considered[Self.deadMaster.analyzedInstanceKey]?.at == Self.t0)
    }

    @Test func acknowledgementForgetsConsiderationsAndRefusalsButNotDetectionsOrClaims() {
        var bookkeeping = RecoveryBookkeeping(settings: Self.settings)
        _ = bookkeeping.tick(isLeader: true, at: Self.t0, verdicts: [Self.deadMaster])
        _ = bookkeeping.gateAnswered(Self.deadMaster, verdict: Self.downtimed, at: Self.t0)
        _ = bookkeeping.claim(cluster: "c2")
        bookkeeping.acknowledged()
        #expect(bookkeeping.considered.isEmpty)
        #expect(bookkeeping.refusals.isEmpty)
        #expect(bookkeeping.notifiedUntil[Self.deadMaster.analyzedInstanceKey] == Self.t0.addingTimeInterval(3600))
        #expect(bookkeeping.claimedClusters == ["c2"])
    }

    @Test func theNextDeadlineIsTheNearestFutureReconsiderationOrInterruptedCheck() {
        var bookkeeping = RecoveryBookkeeping(settings: Self.settings)
        #expect(bookkeeping.nextDeadline(after: Self.t0) == nil)
        _ = bookkeeping.tick(isLeader: true, at: Self.t0, verdicts: [])
        #expect(bookkeeping.nextDeadline(after: Self.t0) == Self.t0.addingTimeInterval(5))
        _ = bookkeeping.tick(isLeader: true, at: Self.t0.addingTimeInterval(0.5), verdicts: [Self.deadMaster])
        #expect(bookkeeping.nextDeadline(after: Self.t0.addingTimeInterval(0.5)) == Self.t0.addingTimeInterval(1.5))
        // A passed reconsideration is not a deadline: only a verdict makes it due again.
        #expect(bookkeeping.nextDeadline(after: Self.t0.addingTimeInterval(2)) == Self.t0.addingTimeInterval(5))
        _ = bookkeeping.tick(isLeader: false, at: Self.t0.addingTimeInterval(2), verdicts: [])
        #expect(bookkeeping.nextDeadline(after: Self.t0.addingTimeInterval(2)) == nil)
    }
}
