import BatonCore
import BatonEngine
import BatonStore
import Foundation
import Hummingbird
import Logging
import Prometheus

/// The HTTP API: orchestrator's paths, verbs and JSON under `/api/`, plus Prometheus metrics at `/metrics`.
public struct BatonAPI: Sendable {
    let monitor: TopologyMonitor
    let detector: FailureDetector
    let controls: OperatorControls
    let authentication: APIAuthentication
    let database: BatonDatabase
    let metricsRegistry: PrometheusCollectorRegistry
    let pollSeconds: Int
    let defaultPort: Int
    /// The name this node reports in `health`/`status`.
    let nodeHostname: String
    let now: @Sendable () -> Date
    /// Runs recoveries; `nil` on a node that only observes (the recovery routes then answer with an error).
    let coordinator: RecoveryCoordinator<ContinuousClock>?
    /// `RecoveryPeriodBlockSeconds`, for the "active period" of audited recoveries.
    let recoveryBlockSeconds: Int
    /// Where operator decisions go: the Raft log, or this node's store.
    let commands: any CommandLog
    /// This node's Raft group; `nil` for a single node.
    let raft: RaftCluster?

    public init(
        monitor: TopologyMonitor, detector: FailureDetector, controls: OperatorControls, database: BatonDatabase,
        coordinator: RecoveryCoordinator<ContinuousClock>? = nil, recoveryBlockSeconds: Int = 3600, commands: (any CommandLog)? = nil,
        raft: RaftCluster? = nil,
        authentication: APIAuthentication = APIAuthentication(), metricsRegistry: PrometheusCollectorRegistry, pollSeconds: Int, defaultPort: Int,
        nodeHostname: String = ProcessInfo.processInfo.hostName, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.coordinator = coordinator
        self.recoveryBlockSeconds = recoveryBlockSeconds
        self.commands = commands
            ?? LocalCommandLog(
                applier: BatonCommandApplier(
                    database: database, controls: controls, monitor: monitor, logger: Logger(label: "baton")))
        self.raft = raft
        self.monitor = monitor
        self.detector = detector
        self.controls = controls
        self.authentication = authentication
        self.database = database
        self.metricsRegistry = metricsRegistry
        self.pollSeconds = pollSeconds
        self.defaultPort = defaultPort
        self.nodeHostname = nodeHostname
        self.now = now
    }

    /// All routes, with errors rendered as JSON envelopes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(APIErrorMiddleware())
        router.middlewares.add(AuthenticationMiddleware(authentication: authentication))
        if let raft { router.middlewares.add(LeaderForwardingMiddleware(raft: raft)) }
        addInstanceRoutes(to: router)
        addClusterRoutes(to: router)
        addHealthRoutes(to: router)
        addAnalysisRoutes(to: router)
        addOperatorRoutes(to: router)
        addRecoveryRoutes(to: router)
        addRaftRoutes(to: router)
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metricsRegistry.emitToString())))
        }
        return router
    }

    // MARK: - Helpers shared by the route files

    /// A path parameter, percent-decoded (a downtime reason may contain spaces, a host name is never
    /// interpreted); `nil` when absent or not valid percent-encoding.
    func parameter(_ context: some RequestContext, _ name: String) -> String? {
        context.parameters.get(name).flatMap { $0.removingPercentEncoding }
    }

    /// Submits a command; a follower's refusal (the forwarding middleware normally prevents it) is a clear error.
    func submit(_ command: BatonCommand) async throws -> BatonCommandResult {
        do {
            return try await commands.submit(command)
        } catch let error as CommandError {
            throw APIError(error.message, status: error.notLeader ? .serviceUnavailable : .internalServerError)
        }
    }

    /// The instance key named by `:host` and `:port`.
    func key(_ context: some RequestContext) throws -> InstanceKey {
        guard let host = parameter(context, "host"), !host.isEmpty else {
            throw APIError("Missing host")
        }
        guard let portText = context.parameters.get("port"), let port = Int(portText), (1...65535).contains(port) else {
            throw APIError("Invalid port: \(parameter(context, "port") ?? "")")
        }
        return monitor.registry.resolve(InstanceKey(hostname: host, port: port))
    }

    /// The API view of an instance, with its registered promotion rule and downtime.
    func document(_ instance: Instance) -> InstanceDocument {
        let at = now()
        var instance = instance
        instance.promotionRule = controls.promotionRule(of: instance.key, at: at)
        return InstanceDocument(
            instance, now: at, pollSeconds: pollSeconds, downtime: controls.downtime(of: instance.key, at: at))
    }

    /// The cluster named by a hint in `:host` (a cluster name or member), or by `:host/:port` of a member.
    /// (The router cannot tell two parameter names apart at one position, so the hint shares `:host`.)
    func cluster(_ context: some RequestContext, instances: [Instance]) throws -> String {
        if parameter(context, "port") != nil {
            let key = try key(context)
            guard let member = instances.first(where: { $0.key == key }) else {
                throw APIError("Unable to determine cluster name: \(key) is not known")
            }
            return member.clusterName
        }
        let hint = parameter(context, "host") ?? ""
        guard let name = ClusterHint.resolve(hint, in: instances, defaultPort: defaultPort) else {
            throw APIError("Unable to determine cluster name for hint \"\(hint)\"")
        }
        return name
    }
}
