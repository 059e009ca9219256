import BatonRaft
import BatonStore
import Foundation
import Logging

/// Three (or more) ``RaftNode``s in this process, over real TCP on 127.0.0.1 with SQLite storage in a temporary
/// directory: the real transport and storage. (Groups over the in-memory transport run on a MockClock instead:
/// see `MockClockRaftGroup` in the Raft runtime tests.)
public final class RaftRuntimeCluster {
    public final class Member {
        public let id: RaftNodeID
        public var address: String
        public let directory: String
        public var app = RecordingApplication()
        public var node: RaftNode<ContinuousClock>?
        public var transport: (any RaftTransport)?
        public var task: Task<Void, any Error>?

        public init(id: RaftNodeID, address: String, directory: String) {
            self.id = id
            self.address = address
            self.directory = directory
        }
    }

    /// The frames' shared secret (`nil`: unauthenticated frames).
    public let secret: String?
    public var configuration: RaftNodeConfiguration
    public let root: String
    public var members: [RaftNodeID: Member] = [:]
    public var logger: Logger

    public static let fastOptions: RaftOptions = {
        var options = RaftOptions()
        options.electionTicks = 10
        options.heartbeatTicks = 1
        return options
    }()

    public init(secret: String?, options: RaftOptions = RaftRuntimeCluster.fastOptions, tickInterval: Duration = .milliseconds(100))
    {
        self.secret = secret
        self.configuration = RaftNodeConfiguration(
            id: 0, options: options, tickInterval: tickInterval, requestTimeout: .seconds(20))
        root = FileManager.default.temporaryDirectory.appendingPathComponent("baton-raft-\(UUID().uuidString)").path
        logger = Logger(label: "baton.raft.test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["BATON_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    }

    /// Starts `count` founding voters with ids 1…count.
    public static func start(
        _ count: Int, secret: String?, options: RaftOptions = RaftRuntimeCluster.fastOptions
    ) async throws -> RaftRuntimeCluster {
        let cluster = RaftRuntimeCluster(secret: secret, options: options)
        var founders: [RaftMember] = []
        for n in 1...count {
            let member = try await cluster.add(RaftNodeID(UInt64(n)))
            founders.append(RaftMember(id: member.id, address: member.address))
        }
        let membership = RaftMembership(founders)
        for n in 1...count { try await cluster.start(RaftNodeID(UInt64(n)), bootstrap: membership) }
        return cluster
    }

    /// Creates a member (its directory, and for TCP its listening transport) without starting its node.
    @discardableResult
    public func add(_ id: RaftNodeID) async throws -> Member {
        let directory = (root as NSString).appendingPathComponent("node-\(id)")
        let member = Member(id: id, address: "", directory: directory)
        members[id] = member
        try await bindTransport(member, port: 0)
        return member
    }

    private func bindTransport(_ member: Member, port: Int) async throws {
        // A node restarts on its port, so the port must not be one the kernel may hand out meanwhile as the source
        // port of some connection: pick it below the ephemeral range.
        var attempt = 0
        while true {
            attempt += 1
            let chosen = port != 0 ? port : Int.random(in: 20_000..<32_000)
            do {
                let transport = try await RaftTCPTransport.bind(
                    .init(
                        nodeID: member.id, host: "127.0.0.1", port: chosen, sharedSecret: secret,
                        reconnectDelay: .milliseconds(20), maxReconnectDelay: .milliseconds(200)),
                    logger: logger)
                member.transport = transport
                member.address = transport.advertisedAddress
                return
            } catch let error as RaftTransportError where error.code == .bindFailed && attempt < 50 {
                try await Task.sleep(for: .milliseconds(port != 0 ? 100 : 0))
            }
        }
    }

    /// Starts (or restarts) a member's node from its storage. A restart gets a new, empty application (as a new
    /// process would) unless `keepingApplication`.
    public func start(_ id: RaftNodeID, bootstrap: RaftMembership? = nil, keepingApplication: Bool = false) async throws {
        let member = members[id]!
        if member.node != nil && !keepingApplication { member.app = RecordingApplication() }
        if member.transport == nil {
            try await bindTransport(member, port: RaftPeerAddressForTests.port(of: member.address))
        }
        let storage = try RaftSQLiteStorage(directory: member.directory, nodeID: id)
        var configuration = self.configuration
        configuration.id = id
        configuration.bootstrap = bootstrap
        let node = try RaftNode(
            configuration: configuration, storage: storage, transport: member.transport!, application: member.app,
            logger: logger)
        member.node = node
        member.task = Task { try await node.run() }
    }

    /// Stops a member's node (as a graceful process exit would) and releases its port.
    public func stop(_ id: RaftNodeID) async {
        let member = members[id]!
        member.task?.cancel()
        _ = await member.task?.result
        member.task = nil
        member.transport = nil
    }

    /// Deletes a stopped member's data.
    public func wipe(_ id: RaftNodeID) throws {
        let member = members[id]!
        if FileManager.default.fileExists(atPath: member.directory) {
            try FileManager.default.removeItem(atPath: member.directory)
        }
    }

    public func node(_ id: RaftNodeID) -> RaftNode<ContinuousClock> { members[id]!.node! }
    public func app(_ id: RaftNodeID) -> RecordingApplication { members[id]!.app }
    public var running: [RaftNodeID] { members.values.filter { $0.task != nil }.map(\.id).sorted() }

    /// The running node that says it leads, when exactly one does.
    public func currentLeader() -> RaftNode<ContinuousClock>? {
        let leaders = running.map(node).filter(\.isLeader)
        return leaders.count == 1 ? leaders[0] : nil
    }

    /// Waits until one running node leads and every running member knows it.
    public func waitForLeader(among ids: [RaftNodeID]? = nil) async throws -> RaftNode<ContinuousClock> {
        try await requireEventuallyValue("a leader known to all") {
            guard let leader = currentLeader() else { return nil }
            let everyone = (ids ?? running).allSatisfy { node($0).leader?.id == leader.id }
            return everyone ? leader : nil
        }
    }

    /// Waits until every given member applied the same commands as `reference`, through at least `index`.
    public func waitForApplied(_ ids: [RaftNodeID], through index: UInt64) async throws {
        try await requireEventually("nodes \(ids) applied through \(index)") {
            ids.allSatisfy { node($0).status.appliedIndex >= index }
        }
    }

    public func shutdown() async {
        for id in running { await stop(id) }
        try? FileManager.default.removeItem(atPath: root)
    }
}

public enum RaftPeerAddressForTests {
    public static func port(of address: String) -> Int {
        Int(address.split(separator: ":").last ?? "") ?? 0
    }
}

/// Runs `body` with a started cluster and shuts the cluster down afterwards, whatever happens.
public func withRaftCluster<T>(
    _ count: Int, secret: String?, options: RaftOptions = RaftRuntimeCluster.fastOptions,
    _ body: (RaftRuntimeCluster) async throws -> T
) async throws -> T {
    let cluster = try await RaftRuntimeCluster.start(count, secret: secret, options: options)
    do {
        let result = try await body(cluster)
        await cluster.shutdown()
        return result
    } catch {
        await cluster.shutdown()
        throw error
    }
}
