import BatonCore
import BatonEngine
import BatonHTTP
import BatonStore
import BatonTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import Prometheus
import Testing

@Suite struct BatonAPITests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    /// An API over a monitor that has read 1 ← 2, 1 ← 3 ← 4 from scripted servers.
    static func application() async throws -> (some ApplicationProtocol, TopologyMonitor) {
        let fixture = try await fixture()
        return (fixture.app, fixture.monitor)
    }

    struct Fixture<App: ApplicationProtocol> {
        var app: App
        var monitor: TopologyMonitor
        var detector: FailureDetector
        var controls: OperatorControls
        var probing: ScriptedProbing
    }

    static func fixture(
        authentication: APIAuthentication = APIAuthentication()
    ) async throws -> Fixture<some ApplicationProtocol> {
        let probing = ScriptedProbing()
        probing.set(key(1), .facts(.mariaDB(serverID: 1, replicas: [key(2), key(3)])))
        probing.set(key(2), .facts(.mariaDB(serverID: 2, source: key(1))))
        probing.set(key(3), .facts(.mariaDB(serverID: 3, source: key(1), replicas: [key(4)])))
        probing.set(key(4), .facts(.mariaDB(serverID: 4, source: key(3))))
        let registry = PrometheusCollectorRegistry()
        let database = try BatonDatabase()
        let monitor = try TopologyMonitor(
            database: database, probing: probing,
            configuration: EngineConfiguration(pollInterval: .seconds(60), hostnameResolution: .none),
            metrics: EngineMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: Logger(label: "test"),
            clock: ContinuousClock(), now: { Date() })
        for port in 1...4 { _ = try await monitor.discover(key(port)) }
        let controls = try OperatorControls(database: database, logger: Logger(label: "test"))
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database,
            log: LocalCommandLog(
                applier: BatonCommandApplier(
                    database: database, controls: controls, monitor: monitor, logger: Logger(label: "test"))),
            leadership: SingleNodeLeadership(nodeName: "baton-test"), configuration: DetectionConfiguration(),
            logger: Logger(label: "test"), clock: ContinuousClock(), now: { Date() })
        detector.analyze()
        let api = BatonAPI(
            monitor: monitor, detector: detector, controls: controls, database: database,
            authentication: authentication, metricsRegistry: registry, pollSeconds: 60, defaultPort: 3306, nodeHostname: "baton-test")
        return Fixture(
            app: Application(router: api.router()), monitor: monitor, detector: detector, controls: controls,
            probing: probing)
    }

    static func json(_ buffer: ByteBuffer) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: [.fragmentsAllowed])
    }

    @Test func instanceUsesOrchestratorFields() async throws {
        let (app, _) = try await Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/instance/10.0.0.1/4", method: .get) { response in
                #expect(response.status == .ok)
                let instance = try JSONDecoder().decode(InstanceDocument.self, from: Data(response.body.readableBytesView))
                #expect(instance.key == Self.key(4))
                #expect(instance.masterKey == Self.key(3))
                #expect(instance.replicationDepth == 2)
                #expect(instance.clusterName == "10.0.0.1:1")
            }
        }
    }

    @Test func unknownInstanceIsAnErrorEnvelope() async throws {
        let (app, _) = try await Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/instance/nohost/3306", method: .get) { response in
                #expect(response.status == .internalServerError)
                let envelope = try JSONDecoder().decode(
                    APIResponse<String>.self, from: Data(response.body.readableBytesView))
                #expect(envelope.code == .error)
                #expect(envelope.message.contains("nohost:3306"))
            }
        }
    }

    @Test func clusterRoutesAcceptNamesAndMembers() async throws {
        let (app, _) = try await Self.application()
        try await app.test(.router) { client in
            for uri in ["/api/cluster-info/10.0.0.1:1", "/api/cluster-info/10.0.0.1/4", "/api/cluster-info/10.0.0.1:3"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let info = try JSONDecoder().decode(ClusterInfo.self, from: Data(response.body.readableBytesView))
                    #expect(info.clusterName == "10.0.0.1:1", "\(uri)")
                    #expect(info.countInstances == 4, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/master/10.0.0.1/4", method: .get) { response in
                let primary = try JSONDecoder().decode(InstanceDocument.self, from: Data(response.body.readableBytesView))
                #expect(primary.key == Self.key(1))
            }
            try await client.execute(uri: "/api/clusters", method: .get) { response in
                #expect(Self.json(response.body) as? [String] == ["10.0.0.1:1"])
            }
            try await client.execute(uri: "/api/cluster/10.0.0.1:1", method: .get) { response in
                #expect((Self.json(response.body) as? [Any])?.count == 4)
            }
            try await client.execute(uri: "/api/instance-replicas/10.0.0.1/1", method: .get) { response in
                let replicas = try JSONDecoder().decode([InstanceDocument].self, from: Data(response.body.readableBytesView))
                #expect(replicas.map(\.key) == [Self.key(2), Self.key(3)])
            }
            try await client.execute(uri: "/api/search?s=0.1:4", method: .get) { response in
                #expect((Self.json(response.body) as? [Any])?.count == 1)
            }
        }
    }

    @Test func topologyIsTheASCIITreeInDetails() async throws {
        let (app, _) = try await Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/topology/10.0.0.1/2", method: .get) { response in
                let envelope = try JSONDecoder().decode(
                    APIResponse<String>.self, from: Data(response.body.readableBytesView))
                let lines = envelope.details?.split(separator: "\n") ?? []
                #expect(lines.count == 4)
                #expect(lines.first?.hasPrefix("10.0.0.1:1 ") == true)
                #expect(lines.last?.hasPrefix("  + 10.0.0.1:4 ") == true)
            }
        }
    }

    @Test func forgetThenInstanceIsGone() async throws {
        let (app, monitor) = try await Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/forget/10.0.0.1/2", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/forget/10.0.0.1/2", method: .get) { response in
                #expect(response.status == .internalServerError)
            }
        }
        #expect(monitor.registry.instance(Self.key(2)) == nil)
    }

    @Test func healthAndLeadership() async throws {
        let (app, _) = try await Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/leader-check", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response.body) as? String == "OK")
            }
            try await client.execute(uri: "/api/health", method: .get) { response in
                let object = Self.json(response.body) as? [String: Any]
                #expect(object?["Code"] as? String == "OK")
                #expect((object?["Details"] as? [String: Any])?["Healthy"] as? Bool == true)
            }
        }
    }

    @Test func metricsArePrometheusText() async throws {
        let (app, _) = try await Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("baton_probes_total 4"))
                #expect(text.contains("baton_instances_known"))
                #expect(text.contains("baton_probe_duration_seconds"))
            }
        }
    }

    /// Odd and hostile paths: every answer is JSON, nothing crashes, and nothing but a 200, 404 or 500 comes back.
    @Test func everyResponseToAnOddRequestIsJSON() async throws {
        let (app, _) = try await Self.application()
        let paths = [
            "/", "/api", "/api/", "/api/nope", "/api/instance", "/api/instance/h", "/api/instance/h/notaport",
            "/api/instance/h/0", "/api/instance/h/99999", "/api/instance/h/-1", "/api/discover/%00/3306",
            "/api/discover/h/abc", "/api/cluster/", "/api/cluster/nothing", "/api/topology/nothing",
            "/api/master/nothing", "/api/cluster-info/%2F..%2F", "/api/search", "/api/search?s=",
            "/api/search?s=%27%22%3B", "/api/forget/unknown/1", "/api/instance/a%20b/3306",
            "/api/instance/" + String(repeating: "x", count: 5000) + "/1", "/api/topology/10.0.0.1/1/extra",
        ]
        try await app.test(.router) { client in
            for path in paths {
                try await client.execute(uri: path, method: .get) { response in
                    #expect([200, 404, 500].contains(Int(response.status.code)), "\(path)")
                    #expect(Self.json(response.body) != nil, "\(path) answered non-JSON")
                }
            }
        }
    }

    @Test func aDeadPrimaryIsAnalysedDetectedOnceAndLogged() async throws {
        let fixture = try await Self.fixture()
        // The primary stops answering and both direct replicas report that they cannot reach it.
        fixture.probing.set(Self.key(1), .fail("connection refused"))
        for port in [2, 3] {
            var facts = InstanceFacts.mariaDB(serverID: UInt32(port), source: Self.key(1), replicas: port == 3 ? [Self.key(4)] : [])
            facts.replication?.ioThread = .other
            facts.replication?.lastIOError = "error reconnecting to master 'repl@10.0.0.1:1' - retry-time: 1  maximum-retries: 86400"
            fixture.probing.set(Self.key(port), .facts(facts))
        }
        _ = try? await fixture.monitor.discover(Self.key(1))
        for port in [2, 3] { _ = try await fixture.monitor.discover(Self.key(port)) }
        await fixture.detector.detect()
        await fixture.detector.detect()

        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/replication-analysis", method: .get) { response in
                let envelope = try JSONDecoder().decode(
                    APIResponse<[ReplicationAnalysis]>.self, from: Data(response.body.readableBytesView))
                let primary = try #require(envelope.details?.first { $0.analyzedInstanceKey == Self.key(1) })
                #expect(primary.analysis == .deadMaster)
                #expect(primary.isActionableRecovery)
                #expect(primary.countReplicas == 2)
            }
            try await client.execute(uri: "/api/replication-analysis/instance/10.0.0.1/1", method: .get) { response in
                let object = Self.json(response.body) as? [String: Any]
                let rows = object?["Details"] as? [[String: Any]]
                #expect(rows?.count == 1)
                #expect(rows?.first?["Analysis"] as? String == "DeadMaster")
            }
            try await client.execute(uri: "/api/audit-failure-detection", method: .get) { response in
                let detections = Self.json(response.body) as? [[String: Any]]
                #expect(detections?.count == 1, "one failure, one detection, however often it is analysed")
                let entry = detections?.first?["AnalysisEntry"] as? [String: Any]
                #expect(entry?["Analysis"] as? String == "DeadMaster")
                #expect(detections?.first?["IsActive"] as? Bool == true)
            }
            try await client.execute(uri: "/api/replication-analysis-changelog", method: .get) { response in
                let entries = Self.json(response.body) as? [[String: Any]]
                let primary = entries?.first { ($0["AnalyzedInstanceKey"] as? [String: Any])?["Port"] as? Int == 1 }
                let log = primary?["Changelog"] as? [String] ?? []
                #expect(log.count == 2)
                #expect(log.first?.hasSuffix(";NoProblem,") == true)
                #expect(log.last?.hasSuffix(";DeadMaster,") == true)
            }
            try await client.execute(uri: "/api/problems", method: .get) { response in
                let keys = (Self.json(response.body) as? [[String: Any]])?.compactMap {
                    ($0["Key"] as? [String: Any])?["Port"] as? Int
                }
                #expect(keys?.contains(1) == true)
                #expect(keys?.contains(4) == false)
            }
        }
    }
}
