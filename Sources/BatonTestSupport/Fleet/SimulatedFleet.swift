import BatonCore
import BatonMySQL
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Thousands of simulated MySQL/MariaDB servers in one process, each listening on its own address and port and
/// speaking the real wire protocol, with replication between them simulated in memory and faults on demand.
///
/// ```swift
/// let fleet = try await SimulatedFleet.start(.generated(clusters: 3, replicasPerCluster: 4, flavor: .mariadb))
/// let primary = fleet.key("c0001-p")!          // InstanceKey(hostname: "127.0.0.1", port: <bound port>)
/// try fleet.write(to: primary, transactions: 5) // replicas follow
/// try await fleet.kill(primary)                // connections reset, port closed, replicas report error 2003
/// await fleet.shutdown()
/// ```
/// The state lives in a ``FleetState`` behind one lock; this class binds the listeners, serves connections
/// (``SimulatedServerHandler``) and applies faults.
public final class SimulatedFleet: Sendable {
    /// Accounts and behaviour shared by every simulated server.
    public struct Configuration: Sendable {
        /// The only account; `mysql_native_password` with this password (empty accepts an empty answer).
        public var user: String
        public var password: String
        /// Listen backlog of each server.
        public var backlog: Int32

        public init(user: String = "baton", password: String = "baton_pw", backlog: Int32 = 128) {
            self.user = user
            self.password = password
            self.backlog = backlog
        }
    }

    public let topology: FleetTopology
    public let configuration: Configuration
    let eventLoopGroup: any EventLoopGroup
    private let ownsEventLoopGroup: Bool
    let logger: Logger
    let state: Mutex<FleetState>
    let network = Mutex(Network())
    let connectionIDs = Atomic<UInt32>(1)
    let parses = Mutex<[String: SimulatedStatement]>([:])
    let clock = ContinuousClock()

    /// Listeners and open server-side connections per server id.
    struct Network: Sendable {
        var listeners: [Int: any Channel] = [:]
        var connections: [Int: [ObjectIdentifier: any Channel]] = [:]
        var shutDown = false
    }

    private init(
        topology: FleetTopology, configuration: Configuration, state: FleetState, eventLoopGroup: any EventLoopGroup,
        ownsEventLoopGroup: Bool, logger: Logger
    ) {
        self.topology = topology
        self.configuration = configuration
        self.state = Mutex(state)
        self.eventLoopGroup = eventLoopGroup
        self.ownsEventLoopGroup = ownsEventLoopGroup
        self.logger = logger
    }

    /// Builds the servers of `topology` and starts every one listening.
    /// - Parameters:
    ///   - eventLoopGroup: where connections are served; by default a group of its own (shut down by
    ///     ``shutdown()``) with one thread per core.
    /// - Throws: ``FleetError`` (`invalidTopology`, `bindFailed`); nothing keeps running after a throw.
    public static func start(
        _ topology: FleetTopology, configuration: Configuration = Configuration(),
        eventLoopGroup: (any EventLoopGroup)? = nil, logger: Logger = Logger(label: "baton.fleet")
    ) async throws -> SimulatedFleet {
        _ = raiseFileDescriptorLimit()
        let state = try FleetState(topology: topology, now: ContinuousClock.now)
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let fleet = SimulatedFleet(
            topology: topology, configuration: configuration, state: state, eventLoopGroup: group,
            ownsEventLoopGroup: eventLoopGroup == nil, logger: logger)
        do {
            try await fleet.bindAll()
        } catch {
            await fleet.shutdown()
            throw error
        }
        return fleet
    }

    /// Closes every listener and connection (and the event loop group the fleet made). Idempotent.
    public func shutdown() async {
        let (listeners, connections) = network.withLock { network in
            network.shutDown = true
            defer {
                network.listeners = [:]
                network.connections = [:]
            }
            return (Array(network.listeners.values), network.connections.values.flatMap(\.values))
        }
        for channel in listeners { try? await channel.close() }
        for channel in connections { try? await channel.close() }
        if ownsEventLoopGroup { try? await eventLoopGroup.shutdownGracefully() }
    }

    /// Raises the limit of open files as far as allowed (each server needs a listener and one descriptor per
    /// connection): to the system's per-process maximum (`fs.nr_open`) when privileged, else to the hard limit.
    /// - Returns: the soft limit in force afterwards.
    @discardableResult
    public static func raiseFileDescriptorLimit() -> Int {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        let text = (try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8)) ?? ""
        let systemMaximum = rlim_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? limit.rlim_max
        var wanted = rlimit(rlim_cur: max(limit.rlim_max, systemMaximum), rlim_max: max(limit.rlim_max, systemMaximum))
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &wanted) != 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
        #else
        return 0
        #endif
    }

    // MARK: Listening

    private func bindAll() async throws {
        let planned = state.withLock { state in state.servers.map { ($0.id, $0.key) } }
        var bound: [Int: InstanceKey] = [:]
        let batch = 256
        var start = 0
        while start < planned.count {
            let slice = planned[start..<min(planned.count, start + batch)]
            try await withThrowingTaskGroup(of: (Int, InstanceKey).self) { group in
                for (id, key) in slice {
                    group.addTask { (id, try await self.listen(id, on: key)) }
                }
                for try await (id, key) in group { bound[id] = key }
            }
            start += batch
        }
        let now = clock.now
        state.withLock { $0.updateKeys(bound, topology: topology, now: now) }
    }

    /// Starts server `id` listening on `key` and returns the key it listens on. Port 0 picks a free port below
    /// the system's ephemeral range: a port from that range could be taken by some client's outgoing connection
    /// while the server is killed, and the restart could not bind it again.
    func listen(_ id: Int, on key: InstanceKey) async throws -> InstanceKey {
        guard key.port == 0 else { return try await listen(id, exactly: key) }
        let range = Self.nonEphemeralPorts
        var generator = SystemRandomNumberGenerator()
        var lastError: (any Error)?
        for _ in 0..<64 {
            let candidate = InstanceKey(hostname: key.hostname, port: Int.random(in: range, using: &generator))
            do {
                return try await listen(id, exactly: candidate)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? FleetError(code: .bindFailed, message: "no free port for \(key.hostname)")
    }

    /// Ports from 10000 up to the start of the ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`).
    static let nonEphemeralPorts: ClosedRange<Int> = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let low = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
        return low > 12_000 ? 10_000...(low - 1) : 1_025...max(1_025, low - 1)
    }()

    private func listen(_ id: Int, exactly key: InstanceKey) async throws -> InstanceKey {
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                self.accept(channel, for: id)
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: key.hostname, port: key.port).get()
        } catch {
            throw FleetError(code: .bindFailed, message: "cannot listen on \(key)", underlying: error)
        }
        let closeNow = network.withLock { network in
            if network.shutDown { return true }
            network.listeners[id] = channel
            return false
        }
        if closeNow {
            try? await channel.close()
            throw FleetError(code: .bindFailed, message: "the fleet was shut down while \(key) was starting")
        }
        return InstanceKey(hostname: key.hostname, port: channel.localAddress?.port ?? key.port)
    }

    private func accept(_ channel: any Channel, for id: Int) -> EventLoopFuture<Void> {
        let (cut, alive) = state.withLock { ($0.clientCut(id), $0.servers[id].alive) }
        if cut == .refuse || !alive {
            return Self.reset(channel)
        }
        let registered = network.withLock { network -> Bool in
            guard !network.shutDown else { return false }
            network.connections[id, default: [:]][ObjectIdentifier(channel)] = channel
            return true
        }
        guard registered else { return channel.close() }
        channel.closeFuture.whenComplete { [self] _ in
            _ = network.withLock { $0.connections[id]?.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        let connectionID = connectionIDs.wrappingAdd(1, ordering: .relaxed).oldValue
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandlers([
                ByteToMessageHandler(MySQLPacketDecoder()),
                SimulatedServerHandler(fleet: self, serverID: id, connectionID: connectionID),
            ])
        }
    }

    /// Closes `channel` with a TCP reset (SO_LINGER 0), as a dying process's sockets are.
    @discardableResult
    static func reset(_ channel: any Channel) -> EventLoopFuture<Void> {
        let linger = linger(l_onoff: 1, l_linger: 0)
        let setLinger =
            (channel as? any SocketOptionProvider)?.setSoLinger(linger) ?? channel.eventLoop.makeSucceededVoidFuture()
        return setLinger.flatMap { channel.close() }.recover { _ in }
    }

    // MARK: Used by the connection handler

    /// What a connection to `id` must do now: the server's profile and faults, and whether clients are cut off.
    func connectionView(_ id: Int) -> ConnectionView {
        state.withLock { state in
            let server = state.servers[id]
            return ConnectionView(
                profile: server.profile, faults: server.faults, cut: state.clientCut(id), alive: server.alive)
        }
    }

    struct ConnectionView: Sendable {
        var profile: SimulatedServerProfile
        var faults: SimulatedFaults
        var cut: FleetPartition.Mode?
        var alive: Bool

        /// Nothing may be sent: the server hangs or the network drops everything.
        var silent: Bool { faults.hang || cut != nil || !alive }
    }

    func execute(_ sql: String, on id: Int, session: inout SimulatedSession) -> SimulatedAnswer {
        let statement = parsed(sql)
        let now = clock.now
        return state.withLock { $0.execute(statement, on: id, session: &session, now: now) }
    }

    /// `SimulatedStatement.parse`, remembered for the statements seen last (probers repeat the same few).
    func parsed(_ sql: String) -> SimulatedStatement {
        if let known = parses.withLock({ $0[sql] }) { return known }
        let statement = SimulatedStatement.parse(sql)
        parses.withLock { cache in
            if cache.count >= 1_024 { cache.removeAll(keepingCapacity: true) }
            cache[sql] = statement
        }
        return statement
    }

    func evaluate(_ wait: SimulatedWait, on id: Int) -> SimulatedAnswer? {
        let now = clock.now
        return state.withLock { $0.evaluate(wait, on: id, now: now) }
    }
}
