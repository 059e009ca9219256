import BatonCore
import BatonEngine
import BatonHTTP
import BatonStore
import BatonTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Synchronization
import Testing

/// The confirmation round through the engine and the API, with the other voters simulated: a primary another node
/// sees alive is not recovered, is shown as `UnreachableMaster` naming that node, and a confirmed round's votes open
/// the recovery's audit.
@Suite struct ConfirmationRoutesTests {
    typealias T = BatonAPITests

    /// The other voters, answering from a script: what each one sees.
    final class SimulatedPeers: PeerViewing {
        let views = Mutex<[String: [InstanceSighting]]>([:])
        let asked = Mutex<[String]>([])

        func view(_ request: PeerViewRequest, at api: String, timeout: Duration) async throws -> PeerView {
            asked.withLock { $0.append(api) }
            guard let sightings = views.withLock({ $0[api] }) else { throw CancellationError() }
            return PeerView(node: api, sightings: sightings)
        }
    }

    struct Fixture<App: ApplicationProtocol> {
        var app: App
        var node: BatonNode
        var peers: SimulatedPeers
    }

    /// Primary 1 with replicas 2 and 3; then the primary stops answering this node and the replicas lose it.
    /// A failing `PreFailoverProcesses` stops every recovery before it touches a (scripted, unreachable) server.
    static func fixture(
        configuration json: String = #"{"RecoverMasterClusterFilters": ["*"], "PreFailoverProcesses": ["exit 1"]}"#
    ) async throws -> Fixture<some ApplicationProtocol> {
        let probing = ScriptedProbing()
        probing.set(T.key(1), .facts(.mariaDB(serverID: 1, replicas: [T.key(2), T.key(3)])))
        probing.set(T.key(2), .facts(.mariaDB(serverID: 2, source: T.key(1))))
        probing.set(T.key(3), .facts(.mariaDB(serverID: 3, source: T.key(1))))
        let peers = SimulatedPeers()
        let node = try await BatonNode.scripted(
            probing, configuration: json, peerViews: peers,
            voters: {
                ["baton-test", "n2", "n3"].map { ConfirmationVoter(name: $0, api: $0 == "baton-test" ? nil : "mem://\($0)") }
            })
        for port in 1...3 { _ = try await node.monitor.discover(T.key(port)) }
        probing.set(T.key(1), .fail("connection refused"))
        for port in 2...3 {
            var broken = InstanceFacts.mariaDB(serverID: UInt32(port), source: T.key(1))
            broken.replication?.ioThread = .other
            probing.set(T.key(port), .facts(broken))
        }
        _ = await node.monitor.lookAgain(at: [T.key(1), T.key(2), T.key(3)])
        let rows = node.detector.analyze()
        #expect(rows.first { $0.analyzedInstanceKey == T.key(1) }?.analysis == .deadMaster)
        let api = BatonAPI(node: node, metricsRegistry: PrometheusCollectorRegistry(), nodeHostname: "baton-test")
        return Fixture(app: Application(router: api.router()), node: node, peers: peers)
    }

    static let dead = InstanceSighting(key: T.key(1), reachable: false, error: "connection refused")

    @Test func aPrimaryAnotherVoterSeesWritableIsNotRecoveredAndShowsAsUnreachable() async throws {
        let fixture = try await Self.fixture()
        fixture.peers.views.withLock {
            $0["mem://n2"] = [InstanceSighting(key: T.key(1), reachable: true)]
            $0["mem://n3"] = [Self.dead]
        }
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/recover/10.0.0.1/1", method: .get) { response in
                let envelope = try RecoveryRoutesTests.body(APIResponse<String>.self, response)
                #expect(response.status == .internalServerError)
                #expect(envelope.message.contains("the Raft group does not confirm the failure (refused): node n2 sees 10.0.0.1:1 alive: reachable and writable"),
                        "\(envelope.message)")
            }
            try await client.execute(uri: "/api/audit-recovery", method: .get) { response in
                let recoveries = try RecoveryRoutesTests.body([TopologyRecoveryDocument].self, response)
                #expect(recoveries.isEmpty, "nothing registered")
            }
            try await client.execute(uri: "/api/replication-analysis", method: .get) { response in
                let rows = try #require(try RecoveryRoutesTests.body(APIResponse<[ReplicationAnalysis]>.self, response).details)
                let primary = try #require(rows.first { $0.analyzedInstanceKey == T.key(1) })
                #expect(primary.analysis == .unreachableMaster)
                #expect(!primary.isActionableRecovery)
                #expect(primary.description.contains("node n2 sees 10.0.0.1:1 alive"))
            }
            try await client.execute(uri: "/api/what-if/10.0.0.1/1", method: .get) { response in
                let report = try #require(try RecoveryRoutesTests.body(APIResponse<WhatIfReport>.self, response).details)
                #expect(report.confirmation?.decision == .refused)
                #expect(report.confirmation?.seenAliveBy == ["n2"])
            }
        }
        #expect(Set(fixture.peers.asked.withLock { $0 }).isSuperset(of: ["mem://n2", "mem://n3"]))
    }

    @Test func tooFewVotesWait() async throws {
        let fixture = try await Self.fixture()
        let outcome = await fixture.node.coordinator.recover(T.key(1))
        guard case .failure(let refusal) = outcome else {
            Issue.record("recovered without the others' votes")
            return
        }
        #expect(refusal.message.contains("(waiting): only 1 of 3 voters looked at 10.0.0.1:1 in time"), "\(refusal.message)")
        #expect(refusal.recovery == nil)
    }

    @Test func aConfirmedRoundOpensTheRecoverysAuditWithTheVotes() async throws {
        let fixture = try await Self.fixture()
        fixture.peers.views.withLock {
            $0["mem://n2"] = [Self.dead]
            $0["mem://n3"] = [Self.dead, InstanceSighting(key: T.key(2), reachable: true, readOnly: true, source: T.key(1))]
        }
        // The failing pre-failover hook stops it before any server; what matters is what was registered and audited.
        _ = await fixture.node.coordinator.recover(T.key(1))
        let recovery = try #require(try fixture.node.recoveryAudit.recoveries().first)
        let steps = try fixture.node.recoveryAudit.steps(uid: recovery.uid).map(\.message)
        #expect(steps.contains { $0.hasPrefix("group confirmation: confirmed — 3 of 3 voters cannot reach 10.0.0.1:1") }, "\(steps)")
        #expect(steps.contains { $0.hasPrefix("vote of n3: cannot reach it") && $0.hasSuffix("(connection refused)") }, "\(steps)")
        #expect(steps.contains { $0.hasPrefix("replicas: 10.0.0.1:2 broken") }, "\(steps)")
    }
}
