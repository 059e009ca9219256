import BatonCore
import BatonEngine
import BatonHTTP
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Prometheus
import Testing

/// The recovery routes over scripted probes: dry runs, refusals, the audit and acknowledgements. Real recoveries
/// are in BatonSystemTests (RecoveryAgainstMariaDBTests).
@Suite struct RecoveryRoutesTests {
    typealias T = BatonAPITests

    struct Fixture<App: ApplicationProtocol> {
        var app: App
        var database: BatonDatabase
    }

    static func fixture(
        configuration json: String = #"{"RecoverMasterClusterFilters": ["*"]}"#,
        authentication: APIAuthentication = APIAuthentication()
    ) async throws -> Fixture<some ApplicationProtocol> {
        let probing = ScriptedProbing()
        probing.set(T.key(1), .facts(.mariaDB(serverID: 1, replicas: [T.key(2), T.key(3)])))
        probing.set(T.key(2), .facts(.mariaDB(serverID: 2, source: T.key(1))))
        probing.set(T.key(3), .facts(.mariaDB(serverID: 3, source: T.key(1), replicas: [T.key(4)])))
        probing.set(T.key(4), .facts(.mariaDB(serverID: 4, source: T.key(3))))
        let configuration = try BatonConfiguration.parse(Data(json.utf8))
        let registry = PrometheusCollectorRegistry()
        let database = try BatonDatabase()
        let logger = Logger(label: "test")
        let monitor = try TopologyMonitor(
            database: database, probing: probing,
            configuration: EngineConfiguration(pollInterval: .seconds(60), hostnameResolution: .none),
            metrics: EngineMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: logger,
            clock: ContinuousClock(), now: { Date() })
        for port in 1...4 { _ = try await monitor.discover(T.key(port)) }
        let controls = try OperatorControls(database: database, logger: logger)
        let log = LocalCommandLog(
            applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger))
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: log,
            leadership: SingleNodeLeadership(nodeName: "baton-test"),
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: logger,
            clock: ContinuousClock(), now: { Date() })
        detector.analyze()
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinator.Configuration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger),
            leadership: SingleNodeLeadership(nodeName: "baton-test"),
            log: log, logger: logger)
        let api = BatonAPI(
            monitor: monitor, detector: detector, controls: controls, database: database, coordinator: coordinator,
            authentication: authentication, metricsRegistry: registry, pollSeconds: 60, defaultPort: 3306,
            nodeHostname: "baton-test")
        return Fixture(app: Application(router: api.router()), database: database)
    }

    static func body<D: Decodable>(_ type: D.Type, _ response: TestResponse) throws -> D {
        try JSONDecoder().decode(D.self, from: Data(response.body.readableBytesView))
    }

    @Test func whatIfShowsTheVerdictRankingAndPlanWithoutTouchingAnything() async throws {
        let fixture = try await Self.fixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/what-if/10.0.0.1/1", method: .get) { response in
                #expect(response.status == .ok)
                let report = try #require(try Self.body(APIResponse<WhatIfReport>.self, response).details)
                #expect(report.analysis == "DeadMaster")
                #expect(report.gate == "allowed")
                #expect(report.recoveryAllowed)
                // Server 3 has applied more (0-1-3 against 0-1-2): the most advanced replica comes first.
                #expect(report.builtInRanking.map(\.key) == [T.key(3), T.key(2)])
                #expect(report.chosenCandidate == T.key(3))
                #expect(report.followers == [T.key(2)])
                #expect(report.steps.contains("promote 10.0.0.1:3: reset its replication and make it writable"))
            }
            try await client.execute(uri: "/api/audit-recovery", method: .get) { response in
                let recoveries = try Self.body([TopologyRecoveryDocument].self, response)
                #expect(recoveries.isEmpty, "a dry run registers nothing")
            }
            try await client.execute(uri: "/api/what-if/10.0.0.1/99", method: .get) { response in
                #expect(response.status == .internalServerError)
            }
        }
    }

    @Test func whatIfSaysWhenTheFiltersRefuse() async throws {
        let fixture = try await Self.fixture(configuration: "{}")
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/what-if/10.0.0.1/1", method: .get) { response in
                let report = try #require(try Self.body(APIResponse<WhatIfReport>.self, response).details)
                #expect(!report.recoveryAllowed)
                #expect(report.gate == "10.0.0.1:1 is not allowed by RecoverMasterClusterFilters")
            }
        }
    }

    @Test func recoverRefusesAnInstanceThatIsNotFailed() async throws {
        let fixture = try await Self.fixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/recover/10.0.0.1/2", method: .get) { response in
                #expect(response.status == .internalServerError)
                let envelope = try Self.body(APIResponse<String>.self, response)
                #expect(envelope.message == "Recovery not attempted: 10.0.0.1:2 is not failed in a way Baton recovers (analysis: NoProblem)")
            }
            try await client.execute(uri: "/api/graceful-master-takeover/10.0.0.1:1", method: .get) { response in
                #expect(response.status == .internalServerError)
                let envelope = try Self.body(APIResponse<TopologyRecoveryDocument>.self, response)
                #expect(envelope.message.contains("target instance not indicated"))
            }
        }
    }

    @Test func auditAcknowledgementAndBlockedRecoveries() async throws {
        let fixture = try await Self.fixture()
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        guard case .registered(let record) = try fixture.database.registerRecovery(
            RecoveryRecord(
                uid: "u-1", failedKey: T.key(1), clusterName: "10.0.0.1:1", analysis: "DeadMaster", kind: .masterRecovery,
                processingNode: "baton-test", startedAt: started))
        else {
            Issue.record("registration failed")
            return
        }
        try fixture.database.appendRecoveryStep(RecoveryStepRecord(recoveryUID: "u-1", at: started, message: "will handle"))
        try fixture.database.resolveRecovery(
            uid: "u-1",
            RecoveryResolution(endedAt: started.addingTimeInterval(2), attempted: true, isSuccessful: true, successor: T.key(3)))
        try fixture.database.recordBlockedRecovery(
            BlockedRecoveryRecord(
                failedKey: T.key(3), clusterName: "10.0.0.1:3", analysis: "DeadMaster", lastBlockedAt: Date(),
                blockingRecoveryID: record.id, reason: "10.0.0.1:3 took over recently"))

        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/audit-recovery", method: .get) { response in
                let recoveries = try Self.body([TopologyRecoveryDocument].self, response)
                #expect(recoveries.count == 1)
                #expect(recoveries.first?.uid == "u-1")
                #expect(recoveries.first?.successorKey == T.key(3))
                #expect(recoveries.first?.recoveryType == "MasterRecoveryGTID")
                #expect(recoveries.first?.recoveryEndTimestamp == "2027-01-15 08:00:02")
            }
            try await client.execute(uri: "/api/audit-recovery-steps/u-1", method: .get) { response in
                let steps = try Self.body([TopologyRecoveryStepDocument].self, response)
                #expect(steps.map(\.message) == ["will handle"])
            }
            try await client.execute(uri: "/api/blocked-recoveries", method: .get) { response in
                let blocked = try Self.body([BlockedRecoveryDocument].self, response)
                #expect(blocked.map(\.blockingRecoveryId) == [record.id])
            }
            try await client.execute(uri: "/api/ack-all-recoveries", method: .get) { response in
                #expect(response.status == .internalServerError, "a comment is required")
            }
            try await client.execute(uri: "/api/ack-recovery/\(record.id)?comment=checked%20by%20ops", method: .get) { response in
                let envelope = try Self.body(APIResponse<Int64>.self, response)
                #expect(response.status == .ok)
                #expect(envelope.message == "Acknowledged 1 recoveries")
            }
            try await client.execute(uri: "/api/audit-recovery?unacknowledged=true", method: .get) { response in
                let unacknowledged = try Self.body([TopologyRecoveryDocument].self, response)
                #expect(unacknowledged.isEmpty)
            }
            try await client.execute(uri: "/api/audit-recovery/uid/u-1", method: .get) { response in
                let recovery = try #require(try Self.body([TopologyRecoveryDocument].self, response).first)
                #expect(recovery.acknowledged && recovery.acknowledgedComment == "checked by ops")
            }
        }
    }

    @Test func aReadOnlyBatonRefusesRecoveries() async throws {
        let fixture = try await Self.fixture(authentication: APIAuthentication(readOnly: true))
        try await fixture.app.test(.router) { client in
            for uri in ["/api/recover/10.0.0.1/1", "/api/force-master-failover/10.0.0.1:1", "/api/ack-all-recoveries?comment=x",
                        "/api/graceful-master-takeover-auto/10.0.0.1:1"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/what-if/10.0.0.1/1", method: .get) { response in
                #expect(response.status == .ok, "a dry run changes nothing")
            }
        }
    }
}
