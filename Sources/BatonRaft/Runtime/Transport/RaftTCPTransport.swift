import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Raft messages between processes over TCP, on SwiftNIO.
///
/// Each node listens on one port and opens one connection to each peer it sends to; a connection carries frames
/// one way (see ``RaftFrame``): a hello naming the sender, the node it means to reach and the sender's advertised
/// address, then messages. With a shared secret every frame carries an HMAC-SHA256, checked in constant time. A frame
/// that fails authentication, decoding or the size limit closes its connection with a log line; it never reaches the
/// state machine and never stops the node.
///
/// Outbound connections are opened when there is something to send, re-resolve the peer's current address each time
/// (ids are stable, addresses may change), back off exponentially while the peer is unreachable, and queue a bounded
/// number of frames: what does not fit is dropped, as Raft tolerates.
public final class RaftTCPTransport: RaftTransport {
    /// Where and how the transport listens and connects.
    public struct Configuration: Sendable {
        /// This node's id, announced in every hello.
        public var nodeID: RaftNodeID
        /// The address to listen on (`0.0.0.0` for every interface).
        public var host: String
        /// The port to listen on; 0 picks a free one (see ``RaftTCPTransport/localAddress``).
        public var port: Int
        /// `host:port` where the other nodes reach this one; by default the bound address (which must then not be a
        /// wildcard).
        public var advertisedAddress: String?
        /// When set, every frame is authenticated with HMAC-SHA256 under this secret, and frames without a valid MAC
        /// are refused. All nodes must share it.
        public var sharedSecret: String?
        /// The largest frame accepted or sent (the length field's value). Must hold a snapshot chunk and an
        /// AppendEntries batch; ``RaftNode`` checks that at start-up.
        public var maxFrameSize: Int
        /// Frames queued per peer before further ones are dropped.
        public var queueCapacity: Int
        public var connectTimeout: Duration
        /// The first delay before reconnecting to an unreachable peer; doubled each failure up to the maximum.
        public var reconnectDelay: Duration
        public var maxReconnectDelay: Duration
        /// An inbound connection silent this long is closed (its sender reconnects when it has something to say).
        public var idleTimeout: Duration
        /// Inbound connections beyond this number are closed at once.
        public var maxInboundConnections: Int

        public init(
            nodeID: RaftNodeID, host: String, port: Int, advertisedAddress: String? = nil, sharedSecret: String? = nil,
            maxFrameSize: Int = 16 << 20, queueCapacity: Int = 1024, connectTimeout: Duration = .seconds(1),
            reconnectDelay: Duration = .milliseconds(50), maxReconnectDelay: Duration = .seconds(2),
            idleTimeout: Duration = .seconds(60), maxInboundConnections: Int = 64
        ) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.advertisedAddress = advertisedAddress
            self.sharedSecret = sharedSecret
            self.maxFrameSize = maxFrameSize
            self.queueCapacity = queueCapacity
            self.connectTimeout = connectTimeout
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.idleTimeout = idleTimeout
            self.maxInboundConnections = maxInboundConnections
        }
    }

    /// One peer's outbound side: its queue, served by one task.
    final class Link: Sendable {
        let id: RaftNodeID
        let queue: RaftFrameQueue

        init(id: RaftNodeID, capacity: Int) {
            self.id = id
            self.queue = RaftFrameQueue(capacity: capacity)
        }
    }

    struct State {
        var links: [RaftNodeID: Link] = [:]
        /// Addresses from the configuration in force.
        var configured: [RaftNodeID: String] = [:]
        /// Addresses peers announced in their hellos; used for nodes the configuration does not (yet) name, such as
        /// the leader of a cluster this node is joining.
        var learned: [RaftNodeID: String] = [:]
        var started = false
        var stopped = false
        var inboundConnections = 0
    }

    /// How many learned addresses are remembered at most (hellos from unknown ids must not grow memory forever).
    static let maxLearnedAddresses = 256

    public let configuration: Configuration
    /// The address the listening socket is bound to, `host:port`.
    public let localAddress: String
    /// The address announced to peers.
    public let advertisedAddress: String
    let codec: RaftFrameCodec
    let group: any EventLoopGroup
    let logger: Logger
    let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, Never>, Never>
    let state = Mutex(State())
    let newLinks: AsyncStream<Link>
    let newLinksContinuation: AsyncStream<Link>.Continuation

    /// Binds the listening socket at once (so that a port in use fails start-up, and port 0 gets its number), and
    /// returns the transport; it accepts and sends once ``run(delivering:)`` runs.
    public static func bind(
        _ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> RaftTCPTransport {
        if let secret = configuration.sharedSecret, secret.isEmpty {
            throw RaftTransportError(.invalidConfiguration, "the shared secret is empty")
        }
        guard configuration.maxFrameSize >= 64 * 1024, configuration.maxFrameSize <= Int(UInt32.max) else {
            throw RaftTransportError(.invalidConfiguration, "maxFrameSize must be between 64 KiB and 4 GiB")
        }
        guard configuration.queueCapacity >= 1, configuration.maxInboundConnections >= 1 else {
            throw RaftTransportError(.invalidConfiguration, "queueCapacity and maxInboundConnections must be positive")
        }
        let maxFrameSize = configuration.maxFrameSize
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, Never>, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: idleTimeout), RaftIdleConnectionCloser(),
                        ])
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(RaftFrameDecoder(maxFrameSize: maxFrameSize)))
                        return try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw RaftTransportError(
                .bindFailed, "cannot listen on \(configuration.host):\(configuration.port)", underlying: error)
        }
        let port = server.channel.localAddress?.port ?? configuration.port
        let local = RaftPeerAddress(host: configuration.host, port: port).description
        let advertised: String
        if let configured = configuration.advertisedAddress {
            guard RaftPeerAddress(configured) != nil else {
                try? await server.channel.close()
                throw RaftTransportError(.invalidConfiguration, "the advertised address \(configured) is not host:port")
            }
            advertised = configured
        } else {
            guard !["0.0.0.0", "::", ""].contains(configuration.host) else {
                try? await server.channel.close()
                throw RaftTransportError(
                    .invalidConfiguration, "listening on a wildcard address needs an advertised address")
            }
            advertised = local
        }
        return RaftTCPTransport(
            configuration: configuration, server: server, localAddress: local, advertisedAddress: advertised,
            group: group, logger: logger)
    }

    private init(
        configuration: Configuration, server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, Never>, Never>,
        localAddress: String, advertisedAddress: String, group: any EventLoopGroup, logger: Logger
    ) {
        self.configuration = configuration
        self.server = server
        self.localAddress = localAddress
        self.advertisedAddress = advertisedAddress
        self.group = group
        var logger = logger
        logger[metadataKey: "baton.raft.node"] = "\(configuration.nodeID)"
        self.logger = logger
        self.codec = RaftFrameCodec(
            secret: configuration.sharedSecret.map { Array($0.utf8) }, maxFrameSize: configuration.maxFrameSize)
        (newLinks, newLinksContinuation) = AsyncStream.makeStream(of: Link.self)
    }

    public var maxMessageSize: Int { codec.maxPayloadSize }

    /// Frames dropped so far because a peer's queue was full or the peer was unreachable.
    public var droppedFrames: Int {
        state.withLock { state in state.links.values.reduce(0) { $0 + $1.queue.dropped } }
    }

    /// Accepts connections and serves outbound queues until cancelled, then closes the listening socket and every
    /// connection. Call it once.
    public func run(delivering deliver: @escaping @Sendable (RaftMessage) -> Void) async throws {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else { throw RaftTransportError(.invalidConfiguration, "the transport is already running") }
        logger.info(
            "raft transport listening",
            metadata: [
                "baton.raft.listen": "\(localAddress)", "baton.raft.advertise": "\(advertisedAddress)",
                "baton.raft.authenticated": "\(codec.isAuthenticated)",
            ])
        defer {
            state.withLock { $0.stopped = true }
            newLinksContinuation.finish()
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.accept(deliver: deliver) }
            for await link in newLinks {
                group.addTask { await self.maintain(link) }
            }
            group.cancelAll()
        }
    }

    public func send(_ message: RaftMessage) {
        guard let frame = codec.seal(.message, message.encoded()) else {
            logger.error(
                "raft message too large for a frame; dropped",
                metadata: ["baton.raft.peer": "\(message.to)", "baton.raft.max_frame": "\(configuration.maxFrameSize)"])
            return
        }
        let (link, isNew) = state.withLock { state -> (Link?, Bool) in
            guard !state.stopped else { return (nil, false) }
            if let link = state.links[message.to] { return (link, false) }
            guard state.configured[message.to] != nil || state.learned[message.to] != nil else { return (nil, false) }
            let link = Link(id: message.to, capacity: configuration.queueCapacity)
            state.links[message.to] = link
            return (link, true)
        }
        guard let link else {
            logger.trace("raft message to a node without a known address dropped", metadata: ["baton.raft.peer": "\(message.to)"])
            return
        }
        if isNew { newLinksContinuation.yield(link) }
        link.queue.push(frame)
    }

    public func updatePeers(_ addresses: [RaftNodeID: String]) {
        state.withLock { $0.configured = addresses }
    }

    /// The address to reach `node` at now: the configuration's, else the one it announced.
    func address(of node: RaftNodeID) -> String? {
        state.withLock { $0.configured[node] ?? $0.learned[node] }
    }

    func learn(_ node: RaftNodeID, address: String) {
        state.withLock { state in
            if state.learned[node] == nil && state.learned.count >= Self.maxLearnedAddresses {
                state.learned.removeValue(forKey: state.learned.keys.min()!)
            }
            state.learned[node] = address
        }
    }
}

/// A failure to start or configure a transport.
public struct RaftTransportError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        public static let bindFailed = Code(rawValue: "raft.transport.bind_failed")
        public static let invalidConfiguration = Code(rawValue: "raft.transport.invalid_configuration")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "") }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
