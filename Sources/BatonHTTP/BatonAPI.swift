import BatonCore
import BatonEngine
import Foundation
import Hummingbird
import Logging
import Prometheus

/// The HTTP API: orchestrator's paths, verbs and JSON under `/api/`, plus Prometheus metrics at `/metrics`, over
/// the services of one `BatonNode`.
public struct BatonAPI: Sendable {
    let node: BatonNode
    let authentication: APIAuthentication
    let metricsRegistry: PrometheusCollectorRegistry
    /// The name this node reports in `health`/`status`.
    let nodeHostname: String

    public init(
        node: BatonNode, authentication: APIAuthentication = APIAuthentication(),
        metricsRegistry: PrometheusCollectorRegistry, nodeHostname: String? = nil
    ) {
        self.node = node
        self.authentication = authentication
        self.metricsRegistry = metricsRegistry
        self.nodeHostname = nodeHostname ?? ProcessInfo.processInfo.hostName
    }

    /// The node's wall time: the API answers with the same time the services stamp.
    var now: @Sendable () -> Date { node.now }

    var monitor: TopologyMonitor { node.monitor }
    var detector: FailureDetector { node.detector }
    var controls: OperatorControls { node.controls }
    var coordinator: RecoveryCoordinator<ContinuousClock> { node.coordinator }
    /// Where operator decisions go: the Raft log, or this node's store.
    var commands: any CommandLog { node.commands }
    /// This node's Raft group; `nil` for a single node.
    var raft: RaftGroupView<ContinuousClock>? { node.raft }
    var pollSeconds: Int { node.engineConfiguration.pollSeconds }
    var defaultPort: Int { node.configuration.discovery.defaultInstancePort }
    /// `RecoveryPeriodBlockSeconds`, for the "active period" of audited recoveries.
    var recoveryBlockSeconds: Int { node.configuration.recovery.blockSeconds }

    /// All routes, with errors rendered as JSON envelopes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(APIErrorMiddleware())
        router.middlewares.add(
            AuthenticationMiddleware(
                authentication: authentication, peerRoutesSigned: !node.configuration.raft.sharedSecret.value.isEmpty))
        if let raft { router.middlewares.add(LeaderForwardingMiddleware(raft: raft)) }
        addInstanceRoutes(to: router)
        addClusterRoutes(to: router)
        addHealthRoutes(to: router)
        addAnalysisRoutes(to: router)
        addOperatorRoutes(to: router)
        addRecoveryRoutes(to: router)
        addRaftRoutes(to: router)
        addPeerRoutes(to: router)
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
        guard let name = ClusterHintResolver.resolve(hint, in: instances, defaultPort: defaultPort) else {
            throw APIError("Unable to determine cluster name for hint \"\(hint)\"")
        }
        return name
    }
}
