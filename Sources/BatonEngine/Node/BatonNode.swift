import BatonCore
import BatonHooks
import BatonMySQL
import BatonPolicy
import BatonStore
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// One Baton node, wired once: the topology monitor, the operator controls, the failure detector, the recovery
/// coordinator, the replicated command applier and the command log (Raft or local), built from a configuration.
///
/// This is the one composition root: `baton serve` (through `BatonHTTP.BatonServer`) and every test that needs an
/// engine build their services here, so the wiring exists once. The HTTP layer reads through the façades
/// (`recoveryAudit`, `failureDetections`, `raft`) and never touches SQLite or the Raft node itself.
public final class BatonNode: Sendable {
    public let configuration: BatonConfiguration
    public let engineConfiguration: EngineConfiguration
    public let monitor: TopologyMonitor
    public let controls: OperatorControls
    public let detector: FailureDetector
    public let coordinator: RecoveryCoordinator<ContinuousClock>
    /// Makes the primaries that recoveries demoted read-only whenever this node reaches them (every node runs it).
    public let fence: DemotedPrimaryFence
    /// Where operator decisions and recovery records go: the Raft log, or this node's store.
    public let commands: any CommandLog
    public let leadership: any Leadership
    /// This node's view of its Raft group; `nil` for a single node.
    public let raft: RaftGroupView<ContinuousClock>?
    /// The recovery history, its audit steps and blocked recoveries (read-only).
    public let recoveryAudit: RecoveryAudit
    /// Registered failure detections and the analysis changelog (read-only).
    public let failureDetections: FailureDetectionLog
    /// With Raft (and a way to reach the other nodes), the confirmation round the leader runs before a recovery, and
    /// this node's answer to it; nil otherwise.
    public let confirmation: GroupConfirmation?
    /// The name this node reports in `health`/`status` and records in recoveries.
    public let nodeName: String
    /// The wall time every service of this node stamps and compares with (the API's too).
    public let now: @Sendable () -> Date
    let logger: Logger

    /// Builds a node over `database` and `probing`.
    ///
    /// - With `RaftEnabled`, the Raft node is started here (its storage opened, its transport bound): the replicated
    ///   state machine needs the node's own services. `leadership` must then be `nil`.
    /// - Without Raft, commands apply to this node's store at once and `leadership` (default: always the leader) says
    ///   whether it may recover.
    /// - `peerViews` reaches the other nodes for confirmation rounds: with Raft the voters are the group's; without,
    ///   `voters` may name simulated ones (tests). With neither, a node recovers on its own view.
    /// - Throws: `BatonNodeError` naming what could not be opened.
    public init(
        configuration: BatonConfiguration, database: BatonDatabase, probing: any InstanceProbing,
        leadership: (any Leadership)? = nil, peerViews: (any PeerViewing)? = nil,
        voters: (@Sendable () -> [ConfirmationVoter])? = nil, metrics: EngineMetrics = .discarding, logger: Logger,
        nodeName: String? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) async throws(BatonNodeError) {
        self.configuration = configuration
        self.logger = logger
        self.now = now
        let engineConfiguration = EngineConfiguration(configuration.discovery)
        self.engineConfiguration = engineConfiguration
        let raftSettings = configuration.raft
        let nodeName = nodeName ?? (raftSettings.enabled ? raftSettings.advertise : ProcessInfo.processInfo.hostName)
        self.nodeName = nodeName
        do {
            monitor = try TopologyMonitor(
                database: database, probing: probing, configuration: engineConfiguration, metrics: metrics,
                logger: logger, clock: ContinuousClock(), now: now)
            controls = try OperatorControls(
                database: database, candidateLifetime: TimeInterval(configuration.candidateInstanceExpireMinutes * 60),
                logger: logger)
        } catch {
            throw BatonNodeError.store(error)
        }
        let applier = BatonCommandApplier(database: database, controls: controls, monitor: monitor, logger: logger)
        if raftSettings.enabled {
            precondition(leadership == nil, "a Raft node's leadership comes from its Raft group")
            let group: RaftGroupView<ContinuousClock>
            do {
                group = try await RaftGroupView.start(
                    raftSettings, database: database, applier: applier, clock: ContinuousClock(), logger: logger)
            } catch {
                throw BatonNodeError.raft(error)
            }
            raft = group
            commands = group.commands
            self.leadership = group.leadership(nodeName: nodeName)
        } else {
            raft = nil
            commands = LocalCommandLog(applier: applier)
            self.leadership = leadership ?? SingleNodeLeadership(nodeName: nodeName)
        }
        detector = FailureDetector(
            monitor: monitor, controls: controls, database: database, log: commands, leadership: self.leadership,
            configuration: DetectionConfiguration(configuration), logger: logger, clock: ContinuousClock(), now: now)
        let groupVoters: (@Sendable () -> [ConfirmationVoter])? =
            if let group = raft { { @Sendable in group.confirmationVoters() } } else { voters }
        if let peerViews, let voters = groupVoters {
            let milliseconds = raftSettings.confirmationTimeoutMilliseconds
            confirmation = GroupConfirmation(
                monitor: monitor, peers: peerViews, selfName: nodeName, voters: voters,
                timeout: milliseconds > 0
                    ? .milliseconds(milliseconds) : .seconds(configuration.topology.connectTimeoutSeconds + 1))
        } else {
            confirmation = nil
        }
        let policy = LoadedPolicy.load(
            path: configuration.recovery.policyScript, limits: configuration.recovery.policyLimits)
        Self.log(policy, configuration: configuration, logger: logger)
        coordinator = RecoveryCoordinator(
            monitor: monitor, detector: detector, controls: controls, database: database,
            configuration: RecoveryCoordinatorConfiguration(
                recovery: configuration.recovery, pollSeconds: engineConfiguration.pollSeconds,
                reasonableCheckSeconds: engineConfiguration.reasonableCheckSeconds,
                detectionBlockSeconds: configuration.detection.failureDetectionPeriodBlockMinutes * 60),
            policy: policy, hooks: HookRunner(configuration: configuration.recovery.hooks, logger: logger),
            executor: RecoveryExecutor(
                access: configuration.topology, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger),
            clock: ContinuousClock(), leadership: self.leadership, log: commands, logger: logger, now: now,
            confirmation: confirmation)
        if let raft { coordinator.wake(on: raft.leadershipChanged) }
        fence = Self.makeFence(
            configuration: configuration, engineConfiguration: engineConfiguration, monitor: monitor, database: database,
            log: commands, leadership: self.leadership, logger: logger, now: now)
        recoveryAudit = RecoveryAudit(database: database)
        failureDetections = FailureDetectionLog(database: database)
    }

    /// Opens the configured SQLite file and builds a node that probes real servers over the MySQL protocol.
    public convenience init(
        configuration: BatonConfiguration, metrics: EngineMetrics = .discarding, peerViews: (any PeerViewing)? = nil,
        logger: Logger
    ) async throws(BatonNodeError) {
        let database: BatonDatabase
        do {
            database = try BatonDatabase(path: configuration.store.sqliteDataFile)
        } catch {
            throw BatonNodeError.store(error)
        }
        let probing = MySQLInstanceProbing(
            access: configuration.topology,
            options: InstanceProber.Options(
                discoverByShowReplicaHosts: configuration.discovery.discoverByShowSlaveHosts,
                defaultPort: configuration.discovery.defaultInstancePort),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        try await self.init(
            configuration: configuration, database: database, probing: probing, peerViews: peerViews, metrics: metrics,
            logger: logger)
    }

    /// The services to run, in start order (the Raft node and its duties first, the engine, then whatever the
    /// caller adds, such as the HTTP server).
    public var services: [any Service] {
        var services: [any Service] = []
        if let raft { services += [raft.node, raft] }
        services += [monitor, detector, coordinator, fence]
        return services
    }

    /// Registers `DiscoverySeeds` and starts probing them as soon as the monitor runs.
    public func discoverSeeds() {
        let seeds = configuration.discovery.seeds.compactMap {
            InstanceKey(parsing: $0, defaultPort: configuration.discovery.defaultInstancePort)
        }
        monitor.discoverInBackground(seeds)
    }

    static func log(_ policy: LoadedPolicy, configuration: BatonConfiguration, logger: Logger) {
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
    }
}

/// Why a node could not be built; `baton serve` prints it and exits 1.
public enum BatonNodeError: Error, CustomStringConvertible {
    /// The SQLite file could not be opened or read.
    case store(StoreError)
    /// The Raft node could not start (its storage or its transport).
    case raft(any Error)

    public var description: String {
        switch self {
        case .store(let error): "\(error)"
        case .raft(let error): "cannot start Raft: \(error)"
        }
    }
}
