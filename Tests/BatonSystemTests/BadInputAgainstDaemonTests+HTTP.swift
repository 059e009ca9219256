import AsyncHTTPClient
import BatonCore
import BatonRaft
import BatonEngine
import BatonHTTP
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import Prometheus
import Testing

/// Hostile HTTP: every route the router lists, with and without credentials, and abuse below the routes.
extension BadInputAgainstDaemonTests {
    /// The routes the daemon's router registers, as declared (`/api/instance/:host/:port`): read from a router built
    /// in process the way `baton serve` builds it, so a new route is fuzzed without anyone listing it.
    static func registeredRoutes() async throws -> [String] {
        let registry = PrometheusCollectorRegistry()
        let database = try BatonDatabase()
        let quiet = Logger(label: "baton.test") { _ in SwiftLogNoOpLogHandler() }
        let monitor = try TopologyMonitor(
            database: database, probing: ScriptedProbing(),
            configuration: EngineConfiguration(pollInterval: .seconds(60), hostnameResolution: .none),
            metrics: EngineMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: quiet,
            clock: ContinuousClock(), now: { Date() })
        let controls = try OperatorControls(database: database, logger: quiet)
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database,
            log: LocalCommandLog(
                applier: BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: quiet)),
            leadership: SingleNodeLeadership(nodeName: "baton-test"), configuration: DetectionConfiguration(),
            logger: quiet, clock: ContinuousClock(), now: { Date() })
        let api = BatonAPI(
            monitor: monitor, detector: detector, controls: controls, database: database, metricsRegistry: registry,
            pollSeconds: 60, defaultPort: 3306)
        // RouterPath writes a capture as `{name}`.
        return api.router().routes.map {
            "\($0.path)".replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
        }
    }

    /// One request as sent on the wire.
    struct FuzzRequest: Sendable {
        var label: String
        var method = "GET"
        var target: [UInt8]
        var body: [UInt8] = []
        var contentType: String?
        /// False for bytes that are not a valid HTTP request: then a 400 without a JSON body, or a closed
        /// connection, is a fine answer.
        var validHTTP = true
        /// Still reaches the route it was made from (a query or a body added): not sent with credentials to a route
        /// that changes state without parameters.
        var keepsRoute = false
        /// Aimed at a real instance with one bad part: must be refused.
        var mustFail = false

        var path: String { String(decoding: target.prefix { $0 != UInt8(ascii: "?") }, as: UTF8.self) }

        func bytes(authorization: String?) -> [UInt8] {
            var head = "\(method) "
            var bytes = Array(head.utf8) + target
            head = " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            if let authorization { head += "Authorization: \(authorization)\r\n" }
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
            if !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
            bytes += Array((head + "\r\n").utf8)
            return bytes + body
        }
    }

    /// Percent-encoded segments no route should trust.
    static let hostileSegments: [String] = [
        "0", "-1", "65536", "99999", "9223372036854775807", "-9223372036854775808", "1" + String(repeating: "0", count: 40),
        "abc", "1.5", "0x1F", "1e3", "%00", "%0A", "%0D%0AX-Injected:%201", "a%0Ab", "%22", "%27", "%22%3B%20DROP%20TABLE%20instance%3B--",
        "..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "%2F", "%5C", "%ZZ", "%", "%E2%98%83", "%F0%9F%92%A5", "%C3%28",
        "%C0%AF", "%EF%BB%BF", "%D8%A7%D9%84%D9%85", "%20", "%09", "*", "nohost.invalid:1", "%7B%22Key%22%3A1%7D",
        String(repeating: "a", count: 64 << 10),
    ]

    /// Sent to every parameter: invalid percent-encoding (graceful-master-takeover indexed an empty array), a number
    /// whose multiple overflows (audit pages), a NUL and a negative number.
    static let alwaysTried = ["%ZZ", "9223372036854775807", "%00", "-1"]

    static let hostileQueries: [String] = [
        "?s=%00&page=-1&comment=%ZZ&unacknowledged=%0A", "?%%%", "?comment=" + String(repeating: "c", count: 64 << 10),
        "?s=%E2%98%83&s=..%2F..&comment", "?unacknowledged=true&unacknowledged=false&comment=%00",
    ]

    static let wrongMethods = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FUZZ"]

    /// A plausible value for a parameter: well-formed and naming nothing that exists.
    static func plausible(_ parameter: Substring) -> String {
        switch parameter {
        case ":port", ":candidatePort": "1"
        case ":page", ":id", ":recoveryId", ":errorStatusCode": "1"
        default: "nohost.invalid"
        }
    }

    /// Hostile variants of one route, chosen by `random`.
    static func variants(of route: String, random: inout RaftRandom, largeBody: Bool) -> [FuzzRequest] {
        let segments = route.split(separator: "/", omittingEmptySubsequences: false)
        let parameters = segments.indices.filter { segments[$0].hasPrefix(":") }
        func path(replacing index: Int? = nil, with value: String = "") -> String {
            segments.indices.map { i in
                if i == index { return value }
                return segments[i].hasPrefix(":") ? plausible(segments[i]) : String(segments[i])
            }.joined(separator: "/")
        }
        let plain = path()
        var requests: [FuzzRequest] = []
        for index in parameters {
            // Every parameter gets the values that found bugs, and four more at random.
            let others = hostileSegments.filter { !alwaysTried.contains($0) }.shuffled(using: &random).prefix(4)
            for value in alwaysTried + others {
                requests.append(FuzzRequest(label: "\(route) \(segments[index])=\(value.prefix(40))", target: Array(path(replacing: index, with: value).utf8)))
            }
        }
        for method in wrongMethods.shuffled(using: &random).prefix(2) {
            // NIO's HTTP parser knows the registered methods only: another token is refused before any route.
            requests.append(FuzzRequest(
                label: "\(method) \(route)", method: method, target: Array(plain.utf8), validHTTP: method != "FUZZ"))
        }
        if segments.count > 3 {
            requests.append(FuzzRequest(label: "\(route) missing its last segment", target: Array(segments.dropLast().map { $0.hasPrefix(":") ? plausible($0) : String($0) }.joined(separator: "/").utf8)))
        }
        requests.append(FuzzRequest(label: "\(route) with extra segments", target: Array((plain + "/x%00/y").utf8)))
        let query = hostileQueries.randomElement(using: &random)!
        requests.append(FuzzRequest(label: "\(route) with query \(query.prefix(40))", target: Array((plain + query).utf8), keepsRoute: true))
        requests.append(FuzzRequest(
            label: "\(route) with a malformed JSON body", target: Array(plain.utf8), body: Array(#"{"Key": {"Hostname": "#.utf8),
            contentType: "application/json", keepsRoute: true))
        if largeBody {
            requests.append(FuzzRequest(
                label: "\(route) with an 8 MiB body", method: "POST", target: Array(plain.utf8), body: random.bytes(8 << 20),
                contentType: "application/json"))
        }
        if UInt8.random(in: 0...9, using: &random) == 0 {
            // Not HTTP: raw control characters, a space and invalid UTF-8 in the request target.
            requests.append(FuzzRequest(
                label: "\(route) with raw bytes in the target", target: Array(plain.utf8) + [0x00, 0x20, 0x0A, 0xC3, 0x28, 0xFF],
                validHTTP: false))
        }
        return requests
    }

    /// Paths a load balancer or a scraper may call without credentials (`APIAuthentication.openPaths`).
    static let openPaths: Set<String> = [
        "/api/lb-check", "/api/_ping", "/api/leader-check", "/api/routed-leader-check", "/api/health", "/api/status",
        "/api/raft-state", "/api/raft-leader", "/api/raft-health", "/metrics",
    ]

    /// What is wrong with the answer to `request`, or nil.
    static func problem(
        with request: FuzzRequest, _ exchange: RawTCPClient.Exchange, authenticated: Bool
    ) -> String? {
        guard exchange.closed else { return "no answer within 30 s" }
        guard let response = RawHTTPResponse(exchange.received) else {
            return request.validHTTP ? "no HTTP response (\(exchange.received.count) bytes)" : nil
        }
        let status = response.status
        if !request.validHTTP { return (400..<500).contains(status) ? nil : "status \(status) for a request that is not HTTP" }
        if status >= 500 && status != 500 { return "status \(status)" }
        if request.method == "HEAD" { return nil }
        if request.mustFail && status < 300 { return "accepted: \(String(decoding: response.body.prefix(200), as: UTF8.self))" }
        if (200..<300).contains(status) {
            if !authenticated && !openPaths.contains(request.path) { return "status \(status) without credentials" }
            if request.path != "/metrics" && !response.isJSON { return "status \(status) with a body that is not JSON" }
            return nil
        }
        if !authenticated && !openPaths.contains(request.path) && status != 401 { return "status \(status), not 401" }
        guard response.errorMessage != nil else {
            return "status \(status) without an error envelope: \(String(decoding: response.body.prefix(200), as: UTF8.self))"
        }
        return nil
    }

    /// The state the fuzzing must leave as it found it.
    struct Snapshot: Equatable, CustomStringConvertible {
        var instances: [String]
        var downtimed: [String]
        var recoveries: String
        var detections: String
        var blocked: String
        var globalRecoveries: String
        var description: String {
            (instances + ["downtimed: \(downtimed)", "recoveries: \(recoveries)", "detections: \(detections)",
                "blocked: \(blocked)", "global recoveries: \(globalRecoveries)"]).joined(separator: "\n")
        }
    }

    struct AuthorizedAPI {
        let base: String
        let authorization: String

        func get(_ path: String) async throws -> (status: Int, body: Data) {
            var request = HTTPClientRequest(url: base + "/" + path)
            request.headers.add(name: "Authorization", value: authorization)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(body.readableBytesView))
        }

        func decode<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
            try JSONDecoder().decode(T.self, from: try await get(path).body)
        }

        func snapshot() async throws -> Snapshot {
            let instances = try await decode([InstanceDocument].self, "all-instances").map {
                "\($0.key) source=\($0.masterKey) cluster=\($0.clusterName) rule=\($0.promotionRule) "
                    + "downtimed=\($0.isDowntimed) \($0.downtimeOwner)/\($0.downtimeReason)/\($0.downtimeEndTimestamp)"
            }.sorted()
            let downtimed = try await decode([InstanceDocument].self, "downtimed").map(\.key.description).sorted()
            let recoveries = try await decode([TopologyRecoveryDocument].self, "audit-recovery")
            let detections = try JSONSerialization.jsonObject(with: try await get("audit-failure-detection").body) as? [Any]
            let blocked = try await decode([BlockedRecoveryDocument].self, "blocked-recoveries")
            return Snapshot(
                instances: instances, downtimed: downtimed, recoveries: "\(recoveries.map(\.uid))",
                detections: "\(detections?.count ?? -1) detections",
                blocked: "\(blocked.map { "\($0.failedInstanceKey) \($0.reason)" })",
                globalRecoveries: try await decode(APIResponse<String>.self, "check-global-recoveries").details ?? "")
        }
    }

    /// Sends `requests` (8 at a time) and returns what went wrong, checking between batches that the daemon lives.
    static func send(
        _ requests: [FuzzRequest], to daemon: BatonDaemon, authorization: String?
    ) async throws -> (problems: [String], statuses: [Int: Int]) {
        var problems: [String] = []
        var statuses: [Int: Int] = [:]
        for start in stride(from: 0, to: requests.count, by: 8) {
            let batch = Array(requests[start..<min(start + 8, requests.count)])
            let results = try await withThrowingTaskGroup(of: (Int, RawTCPClient.Exchange).self) { group in
                for (offset, request) in batch.enumerated() {
                    group.addTask {
                        (offset, try await RawTCPClient.exchange(request.bytes(authorization: authorization), port: daemon.port))
                    }
                }
                var results: [(Int, RawTCPClient.Exchange)] = []
                for try await result in group { results.append(result) }
                return results.sorted { $0.0 < $1.0 }
            }
            for (offset, exchange) in results {
                let request = batch[offset]
                statuses[RawHTTPResponse(exchange.received)?.status ?? 0, default: 0] += 1
                if let problem = problem(with: request, exchange, authenticated: authorization != nil) {
                    problems.append("\(request.label): \(problem)")
                }
            }
            guard daemon.isRunning else {
                problems.append("the daemon died during the batch starting with \(batch[0].label)")
                break
            }
        }
        return (problems, statuses)
    }

    @Test func everyRouteSurvivesHostileRequestsAndNothingIsLostOrInvented() async throws {
        let routes = try await Self.registeredRoutes()
        try #require(routes.count > 80 && routes.contains("/api/begin-downtime/:host/:port/:owner/:reason/:duration"), "\(routes)")
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:1")
        defer { sandbox.tearDown() }
        let password = "fuzz-pw-\(Self.seed)"
        let daemon = try BatonDaemon(configuration: sandbox.batonSettings.merging([
            "AuthenticationMethod": "basic", "HTTPAuthUser": "ops", "HTTPAuthPassword": password,
        ]) { $1 })
        defer { daemon.tearDown() }
        try #require(await APICaller(base: daemon.apiURL).waitUntilUp(), "\(daemon.log())")
        let authorization = "Basic " + Data("ops:\(password)".utf8).base64EncodedString()
        let api = AuthorizedAPI(base: daemon.apiURL, authorization: authorization)

        // State before: a discovered topology, a downtime, a registered candidate, no recovery.
        _ = try await api.get("discover/127.0.0.1/\(sandbox.port(1))")
        var crawled = false
        for _ in 0..<300 where !crawled {
            let all = (try? await api.decode([InstanceDocument].self, "all-instances")) ?? []
            crawled = all.count == 3 && all.allSatisfy(\.isLastCheckValid)
            if !crawled { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(crawled, "\(daemon.log())")
        let (downtimeStatus, _) = try await api.get("begin-downtime/127.0.0.1/\(sandbox.port(3))/ops/before-fuzzing/2h")
        let (candidateStatus, _) = try await api.get("register-candidate/127.0.0.1/\(sandbox.port(2))/prefer")
        try #require(downtimeStatus == 200 && candidateStatus == 200)
        let before = try await api.snapshot()
        #expect(before.downtimed == [sandbox.key(3).description])

        var random = RaftRandom(seed: Self.seed)
        let largeBodies = Set(routes.shuffled(using: &random).prefix(6))
        var requests = routes.flatMap { Self.variants(of: $0, random: &random, largeBody: largeBodies.contains($0)) }
        requests.shuffle(using: &random)

        // Without credentials: every route but the open ones answers 401, and nothing changes.
        let anonymous = try await Self.send(requests, to: daemon, authorization: nil)
        #expect(anonymous.problems.isEmpty, "seed \(Self.seed): \(anonymous.problems.count) problems: \(anonymous.problems.prefix(30))")
        #expect(try await api.snapshot() == before, "seed \(Self.seed)")

        // With credentials. A route that changes state without parameters is only sent variants that miss it.
        let parameterlessMutations: Set<String> = [
            "/api/disable-global-recoveries", "/api/enable-global-recoveries", "/api/ack-all-recoveries",
        ]
        var authorized = requests.filter { !($0.keepsRoute && parameterlessMutations.contains($0.path)) }
        // Real instances with one bad part: each must be refused.
        let (p1, p2, p3) = (sandbox.port(1), sandbox.port(2), sandbox.port(3))
        let nines = String(repeating: "9", count: 400)
        let aimed = [
            "-1h", "0s", "1e9s", "99999999999999999999d", "\(nines)s", "36501d", "%00", "1h%0A", "1x", "1h30",
        ].map { "begin-downtime/127.0.0.1/\(p2)/ops/fuzz/\($0)" }
            + ["must", "MUST", "Prefer", "%00", "prefer%00", "prefer_not%0A", "%ZZ"].map {
                "register-candidate/127.0.0.1/\(p1)/\($0)"
            }
            + ["\(p1)%00", "\(p1).0", "\(p1)abc", "-\(p1)", "\(p1)%20", "%ZZ"].map { "forget/127.0.0.1/\($0)" }
            + ["127.0.0.1%00", "127.0.0.1%0A", "127.0.0.1%2F", "%ZZ"].map { "forget/\($0)/\(p1)" }
            + [
                "end-downtime/127.0.0.1/\(p3)/extra", "end-downtime/127.0.0.1/\(p3)%00", "forget-cluster/127.0.0.1:\(p1)%00",
                "forget-cluster/%ZZ", "recover/127.0.0.1/\(p1)/127.0.0.1/0", "recover/127.0.0.1/\(p1)/127.0.0.1/99999",
                "graceful-master-takeover/127.0.0.1/\(p1)/127.0.0.1/99999", "graceful-master-takeover/%ZZ/\(p1)",
                "force-master-failover/127.0.0.1:\(p1)%00", "force-master-failover/%ZZ",
            ]
        authorized += aimed.map { FuzzRequest(label: "aimed \($0.prefix(80))", target: Array("/api/\($0)".utf8), mustFail: true) }
        let signedIn = try await Self.send(authorized, to: daemon, authorization: authorization)
        #expect(signedIn.problems.isEmpty, "seed \(Self.seed): \(signedIn.problems.count) problems: \(signedIn.problems.prefix(30))")

        // The daemon is up, answers, and holds exactly what it held.
        #expect(daemon.isRunning, "\(daemon.log().suffix(4000))")
        let (health, _) = try await APICaller(base: daemon.apiURL).get("health")
        #expect(health == 200)
        let after = try await api.snapshot()
        #expect(after == before, "seed \(Self.seed): before\n\(before)\nafter\n\(after)")
        let log = daemon.log()
        #expect(!log.contains("API request failed"), "an unexpected error reached the catch-all: \(log.suffix(4000))")
        #expect(!log.contains("Fatal error"))
        let total = requests.count + authorized.count
        print(
            "BadInputAgainstDaemonTests: \(routes.count) routes, \(total) hostile requests (seed \(Self.seed)); "
                + "statuses without credentials \(anonymous.statuses.sorted { $0.key < $1.key }), "
                + "with \(signedIn.statuses.sorted { $0.key < $1.key })")
    }

    /// Abuse below the routes: oversized and malformed headers, lying lengths, bad chunking, other protocols, and
    /// connections that never finish their request. Answers are 4xx or a closed connection, never a 2xx without the
    /// right credentials, never a 5xx; the daemon keeps answering meanwhile.
    @Test func protocolAbuseOnTheHTTPPortIsRefusedAndTheDaemonKeepsAnswering() async throws {
        let password = "proto-pw"
        let daemon = try BatonDaemon(configuration: [
            "AuthenticationMethod": "basic", "HTTPAuthUser": "ops", "HTTPAuthPassword": password,
        ])
        defer { daemon.tearDown() }
        let api = APICaller(base: daemon.apiURL)
        try #require(await api.waitUntilUp(), "\(daemon.log())")
        let good = "Authorization: Basic " + Data("ops:\(password)".utf8).base64EncodedString() + "\r\n"
        func request(_ head: String, body: [UInt8] = []) -> [UInt8] { Array(head.utf8) + body }
        let hugeUser = Data((String(repeating: "u", count: 64 << 10) + ":x").utf8).base64EncodedString()
        let abuses: [(name: String, bytes: [UInt8], authorized: Bool)] = [
            ("a 1 MiB Authorization header",
                request("GET /api/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \(String(repeating: "A", count: 1 << 20))\r\nConnection: close\r\n\r\n"), false),
            ("credentials of a 64 KiB user", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \(hugeUser)\r\nConnection: close\r\n\r\n"), false),
            ("credentials that are not base64", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %%%%\r\nConnection: close\r\n\r\n"), false),
            ("credentials without a colon", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \(Data("ops".utf8).base64EncodedString())\r\nConnection: close\r\n\r\n"), false),
            ("credentials with a NUL", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \(Data("ops:\(password)\u{0}".utf8).base64EncodedString())\r\nConnection: close\r\n\r\n"), false),
            ("a bearer token", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(password)\r\nConnection: close\r\n\r\n"), false),
            ("5,000 headers", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)" + (0..<5000).map { "X-H\($0): v\r\n" }.joined() + "Connection: close\r\n\r\n"), true),
            ("a Content-Length larger than the body", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)Content-Length: 99999999999\r\nConnection: close\r\n\r\n{}"), true),
            ("a negative Content-Length", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)Content-Length: -1\r\nConnection: close\r\n\r\n"), true),
            ("two Content-Lengths", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)Content-Length: 2\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{}"), true),
            ("a chunk size that is not hex", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), true),
            ("a chunk size of 2^64", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n10000000000000000\r\n{}\r\n"), true),
            ("an HTTP/2 preface", request("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), false),
            ("HTTP/0.9", request("GET /api/clusters\r\n"), false),
            ("a version of HTTP/7.3", request("GET /api/clusters HTTP/7.3\r\nHost: x\r\n\(good)\r\n"), true),
            ("a TLS ClientHello", [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + RaftRandom(seed: Self.seed).prefixBytes(160), false),
            ("a header line without a colon", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)this is not a header\r\nConnection: close\r\n\r\n"), true),
            ("a header folded over two lines", request("GET /api/clusters HTTP/1.1\r\nHost: x\r\n\(good)X-A: 1\r\n  folded\r\nConnection: close\r\n\r\n"), true),
        ]
        // 200 connections that send half a request and wait, the whole time.
        let port = daemon.port
        let stalled = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        _ = try await RawTCPClient.exchange(Array("GET /api/clusters HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8), port: port, timeout: .seconds(8))
                    }
                }
                try await group.waitForAll()
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let (healthDuringStall, _) = try await api.get("health")
        // An HTTP/1 server reads an HTTP/0.9 line as the start of a request and waits for the rest, like the slow
        // connections (Baton sets no idle timeout on the API port).
        let incomplete: Set<String> = ["HTTP/0.9"]
        var problems: [String] = []
        for abuse in abuses {
            let exchange = try await RawTCPClient.exchange(
                abuse.bytes, port: daemon.port, timeout: .seconds(incomplete.contains(abuse.name) ? 1 : 10))
            guard let response = RawHTTPResponse(exchange.received) else {
                if !exchange.closed && !incomplete.contains(abuse.name) {
                    problems.append("\(abuse.name): no answer and the connection left open")
                }
                continue
            }
            if response.status >= 500 && !(response.status == 500 && response.errorMessage != nil) {
                problems.append("\(abuse.name): status \(response.status)")
            }
            if !abuse.authorized && (200..<300).contains(response.status) {
                problems.append("\(abuse.name): accepted without valid credentials")
            }
            if (400..<500).contains(response.status) && response.status != 400 && response.errorMessage == nil {
                problems.append("\(abuse.name): status \(response.status) without an error envelope")
            }
        }
        try await stalled.value
        #expect(problems.isEmpty, "\(problems)")
        #expect(healthDuringStall == 200, "health while 200 connections hang: \(healthDuringStall)")
        #expect(daemon.isRunning)
        #expect(try await api.get("lb-check").status == 200)
        #expect(!daemon.log().contains("API request failed"))
    }
}
