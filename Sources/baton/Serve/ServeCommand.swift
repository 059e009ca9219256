import ArgumentParser
import BatonEngine
import BatonHooks
import BatonRaft
import BatonHTTP
import BatonMySQL
import BatonStore
import Foundation
import Hummingbird
import Logging
import NIOPosix
import Prometheus
import ServiceLifecycle

/// `baton serve --config FILE`: runs the daemon until SIGTERM or SIGINT, then shuts down gracefully
/// (pending results are written to SQLite, connections closed).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the Baton daemon.",
        discussion: "Exit status: 0 after a clean shutdown, 78 when the configuration is invalid, 1 on other errors.")

    @Option(name: [.short, .long], help: "The JSON configuration file (orchestrator's format).")
    var config: String

    func run() async throws {
        let configuration: BatonConfiguration
        do {
            configuration = try BatonConfiguration.load(path: config)
        } catch {
            printError("baton: \(error)")
            throw ExitCode(78)  // EX_CONFIG
        }
        let level: Logger.Level = configuration.debug ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "baton")
        for warning in configuration.warnings {
            logger.warning("Configuration warning", metadata: ["baton.warning": "\(warning)"])
        }

        let database: BatonDatabase
        do {
            database = try BatonDatabase(path: configuration.store.sqliteDataFile)
        } catch {
            printError("baton: \(error)")
            throw ExitCode(1)
        }
        let metricsRegistry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory(registry: metricsRegistry)
        let engineConfiguration = EngineConfiguration(configuration.discovery)
        let probing = MySQLInstanceProbing(
            access: configuration.topology, options: InstanceProber.Options(
                discoverByShowReplicaHosts: configuration.discovery.discoverByShowSlaveHosts,
                defaultPort: configuration.discovery.defaultInstancePort),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let monitor = try TopologyMonitor(
            database: database, probing: probing, configuration: engineConfiguration,
            metrics: EngineMetrics(factory: metricsFactory), logger: logger, clock: ContinuousClock(), now: { Date() })
        let controls = try OperatorControls(
            database: database, candidateLifetime: TimeInterval(configuration.candidateInstanceExpireMinutes * 60),
            logger: logger)
        let raftSettings = configuration.raft
        let nodeName = raftSettings.enabled ? raftSettings.advertise : ProcessInfo.processInfo.hostName
        let applier = BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger)
        var raft: RaftCluster?
        let commands: any CommandLog
        let leadership: any Leadership
        if raftSettings.enabled {
            let cluster: RaftCluster
            do {
                cluster = try await Self.startRaft(raftSettings, database: database, applier: applier, logger: logger)
            } catch {
                printError("baton: cannot start Raft: \(error)")
                throw ExitCode(1)
            }
            raft = cluster
            commands = cluster.commands
            leadership = RaftLeadership(node: cluster.node, nodeName: nodeName)
        } else {
            commands = LocalCommandLog(applier: applier)
            leadership = SingleNodeLeadership(nodeName: nodeName)
        }
        let detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: commands, leadership: leadership,
            configuration: DetectionConfiguration(configuration), logger: logger, clock: ContinuousClock(),
            now: { Date() })
        let policy = LoadedPolicy.load(
            path: configuration.recovery.policyScript, limits: configuration.recovery.policyLimits)
        switch policy {
        case .none: break
        case .loaded(let loaded):
            logger.info(
                "Policy loaded",
                metadata: [
                    "baton.policy": "\(configuration.recovery.policyScript)", "baton.policy.hash": "\(loaded.contentHash)",
                    "baton.policy.functions": "\(loaded.definedFunctions.map(\.rawValue).sorted().joined(separator: ","))",
                ])
        case .failed:
            logger.error(
                "Policy failed to load; recoveries apply PolicyFailureMode",
                metadata: [
                    "baton.error": "\(policy.loadError ?? "")",
                    "baton.policy.failure_mode": "\(configuration.recovery.policyFailureMode.rawValue)",
                ])
        }
        let coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinator.Configuration(
                recovery: configuration.recovery, pollSeconds: engineConfiguration.pollSeconds,
                reasonableCheckSeconds: engineConfiguration.reasonableCheckSeconds,
                detectionBlockSeconds: configuration.detection.failureDetectionPeriodBlockMinutes * 60),
            policy: policy, hooks: HookRunner(configuration: configuration.recovery.hooks, logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger),
            leadership: leadership, log: commands, logger: logger)
        let http = configuration.http
        let api = BatonAPI(
            monitor: monitor, detector: detector, controls: controls, database: database, coordinator: coordinator,
            recoveryBlockSeconds: configuration.recovery.blockSeconds, commands: commands, raft: raft,
            authentication: APIAuthentication(
                method: http.authenticationMethod == "basic" ? .basic : .none, user: http.authUser,
                password: http.authPassword, readOnly: http.readOnly),
            metricsRegistry: metricsRegistry, pollSeconds: engineConfiguration.pollSeconds,
            defaultPort: configuration.discovery.defaultInstancePort)
        let listen = configuration.http.listenAddress
        let application = Application(
            router: api.router(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(http.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "baton"),
            logger: logger)

        let seeds = configuration.discovery.seeds.compactMap {
            InstanceKey(parsing: $0, defaultPort: configuration.discovery.defaultInstancePort)
        }
        monitor.discoverInBackground(seeds)

        logger.info(
            "Baton starting",
            metadata: [
                "baton.listen": "\(listen)", "baton.sqlite": "\(configuration.store.sqliteDataFile)",
                "baton.poll_seconds": "\(engineConfiguration.pollSeconds)",
                "baton.instances": "\(monitor.registry.count)",
            ])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let raft { services += [.init(service: raft.node), .init(service: raft)] }
        services += [
            .init(service: monitor), .init(service: detector), .init(service: coordinator), .init(service: application),
        ]
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Opens the Raft log, binds the transport and builds the node. The replicated tables are cleared first: the
    /// snapshot and the log rebuild them, so no command is applied twice.
    static func startRaft(
        _ settings: BatonConfiguration.RaftSettings, database: BatonDatabase, applier: BatonCommandApplier, logger: Logger
    ) async throws -> RaftCluster {
        try database.clearReplicatedState()
        let id = RaftNodeID(settings.selfID)
        let storage = try RaftSQLiteStorage(directory: settings.dataDirectory, nodeID: id)
        let transport = try await RaftTCPTransport.bind(
            .init(
                nodeID: id, host: settings.bindHost, port: settings.bindPort, advertisedAddress: settings.advertise,
                sharedSecret: settings.sharedSecret.value.isEmpty ? nil : settings.sharedSecret.value),
            logger: logger)
        let membership = RaftMembership(settings.nodes.map { RaftMember(id: RaftNodeID($0.id), address: $0.address) })
        var options = RaftOptions()
        options.snapshotThreshold = UInt64(settings.snapshotThreshold)
        options.trailingEntries = UInt64(settings.snapshotTrailingEntries)
        #if BATON_MUTANT_NO_CHECK_QUORUM
        // A deliberately broken build, made only by scripts/mutant-check to prove that the fault-injection suite
        // fails when a leader cut off from its quorum keeps leading.
        options.checkQuorum = false
        logger.critical("Deliberately broken build: CheckQuorum is off. Never run this build against real servers.")
        #endif
        let node = try RaftNode(
            configuration: RaftNodeConfiguration(
                id: id, bootstrap: settings.bootstrap ? membership : nil, options: options,
                tickInterval: .milliseconds(settings.tickMilliseconds)),
            storage: storage, transport: transport,
            application: BatonRaftApplication(applier: applier, logger: logger), logger: logger)
        logger.info(
            "Raft node configured",
            metadata: [
                "baton.raft.id": "\(id)", "baton.raft.advertise": "\(settings.advertise)",
                "baton.raft.members": "\(settings.nodes.map(\.address).joined(separator: ","))",
                "baton.raft.authenticated": "\(!settings.sharedSecret.value.isEmpty)",
            ])
        return RaftCluster(
            node: node, settings: settings, commands: RaftCommandLog(node: node, applier: applier), logger: logger)
    }
}

import BatonCore

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
