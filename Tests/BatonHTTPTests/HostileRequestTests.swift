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
import Synchronization
import Testing

/// Every route of the router, in process, against hostile path parameters: a JSON answer, never an error that only
/// the catch-all of `APIErrorMiddleware` knows (those are bugs: an unexpected error, rendered raw), never a trap.
/// The same hostility against a real daemon is `BatonSystemTests/BadInputAgainstDaemonTests`.
@Suite struct HostileRequestTests {
    typealias T = BatonAPITests

    /// Log lines at error level, for the catch-all's "API request failed".
    final class ErrorLog: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    struct CapturingHandler: LogHandler {
        let log: ErrorLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .error
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            guard event.level >= .error else { return }
            let details = (event.metadata ?? [:]).merging(metadata) { a, _ in a }
            log.lines.withLock { $0.append("\(event.message) \(details)") }
        }
    }

    /// The API over scripted servers 1 ← 2, 1 ← 3 ← 4, with a recovery coordinator, its routes and error log.
    static func fixture() async throws -> (routes: [String], app: some ApplicationProtocol, errors: ErrorLog) {
        let probing = ScriptedProbing()
        probing.set(T.key(1), .facts(.mariaDB(serverID: 1, replicas: [T.key(2), T.key(3)])))
        probing.set(T.key(2), .facts(.mariaDB(serverID: 2, source: T.key(1))))
        probing.set(T.key(3), .facts(.mariaDB(serverID: 3, source: T.key(1), replicas: [T.key(4)])))
        probing.set(T.key(4), .facts(.mariaDB(serverID: 4, source: T.key(3))))
        let configuration = try BatonConfiguration.parse(Data(#"{"RecoverMasterClusterFilters": ["*"]}"#.utf8))
        let registry = PrometheusCollectorRegistry()
        let database = try BatonDatabase()
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let monitor = try TopologyMonitor(
            database: database, probing: probing,
            configuration: EngineConfiguration(pollInterval: .seconds(60), hostnameResolution: .none),
            metrics: EngineMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: quiet,
            clock: ContinuousClock(), now: { Date() })
        for port in 1...4 { _ = try await monitor.discover(T.key(port)) }
        let controls = try OperatorControls(database: database, logger: quiet)
        let log = LocalCommandLog(
            applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: quiet))
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: log,
            leadership: SingleNodeLeadership(nodeName: "baton-test"),
            configuration: DetectionConfiguration(analysis: AnalysisSettings(pollSeconds: 60)), logger: quiet,
            clock: ContinuousClock(), now: { Date() })
        detector.analyze()
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinator.Configuration(
                recovery: configuration.recovery, pollSeconds: 60, reasonableCheckSeconds: 1),
            policy: .none, hooks: HookRunner(logger: quiet),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: quiet),
            leadership: SingleNodeLeadership(nodeName: "baton-test"),
            log: log, logger: quiet)
        let api = BatonAPI(
            monitor: monitor, detector: detector, controls: controls, database: database, coordinator: coordinator,
            metricsRegistry: registry, pollSeconds: 60, defaultPort: 3306, nodeHostname: "baton-test")
        let router = api.router()
        // RouterPath writes a capture as `{name}`; the routes are listed here as they are declared, `:name`.
        let routes = router.routes.map {
            "\($0.path)".replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
        }
        let errors = ErrorLog()
        let logger = Logger(label: "baton.test.api") { _ in CapturingHandler(log: errors) }
        return (routes, Application(router: router, logger: logger), errors)
    }

    /// Percent-encoded path segments no route should trust: control characters, traversal, quotes, numbers out of
    /// every range, unicode, invalid percent-encoding, and 64 KiB.
    static let hostileSegments: [String] = [
        "%00", "a%0Ab", "%0D%0AX-Injected:%201", "..", "..%2F..%2Fetc%2Fpasswd", "%22%27%3B--", "%25", "%ZZ", "%",
        "0", "-1", "65536", "99999", "9223372036854775807", "-9223372036854775808", "99999999999999999999999",
        "1e9", "0x10", "%20", "%E2%98%83", "%F0%9F%92%A5", "%C3%28", "%EF%BF%BF", "nohost.invalid:3306",
        String(repeating: "a", count: 64 << 10),
    ]

    /// A route's path with every `:parameter` replaced by `value` (or by a plain word, at other positions).
    static func fill(_ route: String, at position: Int, with value: String) -> String {
        var index = 0
        return route.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix(":") else { return String(segment) }
            defer { index += 1 }
            return index == position ? value : "x"
        }.joined(separator: "/")
    }

    @Test func everyRouteAnswersHostileParametersWithAJSONEnvelope() async throws {
        let (routes, app, errors) = try await Self.fixture()
        #expect(routes.count > 80, "the router lists its routes: \(routes)")
        #expect(routes.contains("/api/audit-recovery/:page"), "\(routes)")
        var requests: [String] = []
        for route in routes {
            let parameters = route.split(separator: "/").filter { $0.hasPrefix(":") }.count
            if parameters == 0 {
                requests += ["\(route)?s=%00&page=-1&comment=%ZZ&unacknowledged=%0A", "\(route)/extra", "\(route)%00"]
            }
            for position in 0..<parameters {
                requests += Self.hostileSegments.map { Self.fill(route, at: position, with: $0) }
            }
        }
        let all = requests
        let unexpected = Mutex<[String]>([])
        try await app.test(.router) { client in
            for uri in all {
                try await client.execute(uri: uri, method: .get) { response in
                    let body = Data(response.body.readableBytesView)
                    let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
                    let envelope = json as? [String: Any]
                    let code = response.status.code
                    let isMetrics = uri.hasPrefix("/metrics") && code == 200  // Prometheus text, not JSON
                    if (json == nil && !isMetrics) || ![200, 404, 500].contains(code)
                        || (code != 200 && (envelope?["Code"] as? String != "ERROR"
                            || (envelope?["Message"] as? String ?? "").isEmpty))
                    {
                        unexpected.withLock { $0.append("\(uri.prefix(200)) → \(code) \(String(decoding: body.prefix(200), as: UTF8.self))") }
                    }
                }
            }
        }
        let failures = unexpected.withLock { $0 }
        #expect(failures.isEmpty, "\(failures.count) of \(all.count): \(failures.prefix(20))")
        #expect(errors.all.isEmpty, "unexpected errors reached the catch-all: \(errors.all.prefix(20))")
    }

    /// `audit-recovery/:page` multiplied the page by 20 with a trapping multiply: one request killed the daemon.
    @Test(arguments: [
        "/api/audit-recovery/9223372036854775807", "/api/audit-recovery/461168601842738791",
        "/api/audit-failure-detection/9223372036854775807", "/api/audit-recovery/cluster/10.0.0.1:1/9223372036854775807",
    ])
    func aPagePastEveryRowIsAnEmptyPage(uri: String) async throws {
        let (_, app, errors) = try await Self.fixture()
        try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "[]")
            }
        }
        #expect(errors.all.isEmpty)
    }

    /// A duration's digits are unbounded: 20 nines of days used to downtime an instance until the year 506,713.
    @Test(arguments: ["99999999999999999999d", "36501d"])
    func aDowntimeBeyondACenturyIsRefusedAndNothingIsDowntimed(duration: String) async throws {
        let (_, app, _) = try await Self.fixture()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/begin-downtime/10.0.0.1/2/ops/disk/\(duration)", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body).contains("Invalid duration"))
            }
            try await client.execute(uri: "/api/downtimed", method: .get) { response in
                #expect(String(buffer: response.body) == "[]")
            }
            try await client.execute(uri: "/api/begin-downtime/10.0.0.1/2/ops/disk/36500d", method: .get) { response in
                #expect(response.status == .ok, "the longest downtime is accepted")
            }
        }
    }

    /// graceful-master-takeover reads its 1 to 4 segments by count: a segment that was not valid percent-encoding
    /// was dropped, so `/graceful-master-takeover/%ZZ` indexed an empty array and killed the daemon, and a bad
    /// segment among four shifted the others into the wrong places.
    @Test(arguments: [
        "/api/graceful-master-takeover/%ZZ", "/api/graceful-master-takeover-auto/%ZZ",
        "/api/graceful-master-takeover/10.0.0.1/%ZZ", "/api/graceful-master-takeover/10.0.0.1/1/%ZZ/2",
        "/api/graceful-master-takeover-auto/%ZZ/10.0.0.1/1/2",
    ])
    func aTakeoverPathWithABadSegmentIsRefused(uri: String) async throws {
        let (_, app, errors) = try await Self.fixture()
        try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body).contains("Invalid path segments"))
            }
        }
        #expect(errors.all.isEmpty)
    }
}
