import BatonCore
import BatonEngine
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `baton serve` as one value: the node built from the configuration, the HTTP application over it, and the
/// service group that runs both until SIGTERM or SIGINT.
public struct BatonServer: Sendable {
    public let node: BatonNode
    public let api: BatonAPI
    /// How this node calls the other nodes of its Raft group (signed with `RaftSharedSecret`).
    let peerCall: PeerCall
    let logger: Logger

    /// Opens the store, starts Raft when configured, and builds the API on the configured listen address.
    /// - Throws: `BatonNodeError` naming what could not be opened.
    public init(configuration: BatonConfiguration, logger: Logger) async throws(BatonNodeError) {
        let metricsRegistry = PrometheusCollectorRegistry()
        let http = configuration.http
        let authentication = APIAuthentication(
            method: http.authenticationMethod == "basic" ? .basic : .none, user: http.authUser,
            password: http.authPassword, readOnly: http.readOnly)
        peerCall = PeerCall(
            signer: PeerSignature(secret: configuration.raft.sharedSecret.value),
            basicAuthorization: authentication.method == .basic ? authentication.basicAuthorization : nil)
        node = try await BatonNode(
            configuration: configuration,
            metrics: EngineMetrics(factory: PrometheusMetricsFactory(registry: metricsRegistry)),
            peerViews: HTTPPeerViews(call: peerCall), logger: logger)
        api = BatonAPI(node: node, authentication: authentication, metricsRegistry: metricsRegistry)
        self.logger = logger
    }

    /// The Hummingbird application serving the API on `ListenAddress`.
    public func application() -> some ApplicationProtocol {
        let http = node.configuration.http
        return Application(
            router: api.router(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(http.idleTimeoutSeconds)))),
            configuration: .init(
                address: .hostname(http.listenAddress.host, port: http.listenAddress.port), serverName: "baton"),
            logger: logger)
    }

    /// Discovers the seeds and runs the node's services and the HTTP server until a graceful-shutdown signal.
    public func run() async throws {
        node.discoverSeeds()
        logger.info(
            "Baton starting",
            metadata: [
                "baton.listen": "\(node.configuration.http.listenAddress)",
                "baton.sqlite": "\(node.configuration.store.sqliteDataFile)",
                "baton.poll_seconds": "\(node.engineConfiguration.pollSeconds)",
                "baton.instances": "\(node.monitor.registry.count)",
            ])
        var services: [any Service] = node.services + [application()]
        if let raft = node.raft { services.append(NodeAPIReporter(raft: raft, call: peerCall, logger: logger)) }
        let configured = services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        let group = ServiceGroup(
            configuration: .init(services: configured, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
