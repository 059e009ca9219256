import Synchronization

/// A network in one process for tests: nodes' ``RaftInMemoryTransport``s deliver to each other directly, except
/// across links that are cut.
public final class RaftInMemoryNetwork: Sendable {
    private struct State {
        var receivers: [RaftNodeID: @Sendable (RaftMessage) -> Void] = [:]
        /// Directed links that drop everything, as (from, to).
        var cut: Set<[RaftNodeID]> = []
        var delivered = 0
        var dropped = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A transport for node `id` on this network.
    public func transport(for id: RaftNodeID) -> RaftInMemoryTransport {
        RaftInMemoryTransport(id: id, network: self)
    }

    /// Cuts both directions between `node` and every other node.
    public func isolate(_ node: RaftNodeID, from others: [RaftNodeID]) {
        state.withLock { state in
            for other in others where other != node {
                state.cut.insert([node, other])
                state.cut.insert([other, node])
            }
        }
    }

    /// Cuts messages from `from` to `to` (one direction).
    public func cut(from: RaftNodeID, to: RaftNodeID) {
        _ = state.withLock { $0.cut.insert([from, to]) }
    }

    /// Restores every link.
    public func heal() {
        state.withLock { $0.cut = [] }
    }

    /// Messages delivered and dropped so far.
    public var counts: (delivered: Int, dropped: Int) { state.withLock { ($0.delivered, $0.dropped) } }

    func attach(_ id: RaftNodeID, _ receive: @escaping @Sendable (RaftMessage) -> Void) {
        state.withLock { $0.receivers[id] = receive }
    }

    func detach(_ id: RaftNodeID) {
        _ = state.withLock { $0.receivers.removeValue(forKey: id) }
    }

    func route(_ message: RaftMessage) {
        let receiver = state.withLock { state -> (@Sendable (RaftMessage) -> Void)? in
            guard !state.cut.contains([message.from, message.to]), let receiver = state.receivers[message.to] else {
                state.dropped += 1
                return nil
            }
            state.delivered += 1
            return receiver
        }
        receiver?(message)
    }
}

/// One node's side of a ``RaftInMemoryNetwork``; messages to nodes that are not running are dropped.
public final class RaftInMemoryTransport: RaftTransport {
    public let id: RaftNodeID
    let network: RaftInMemoryNetwork

    init(id: RaftNodeID, network: RaftInMemoryNetwork) {
        self.id = id
        self.network = network
    }

    public var maxMessageSize: Int { 64 << 20 }

    public func run(delivering deliver: @escaping @Sendable (RaftMessage) -> Void) async throws {
        network.attach(id, deliver)
        defer { network.detach(id) }
        // Park until cancelled (the stream never yields; iterating it ends on cancellation).
        let (stream, continuation) = AsyncStream.makeStream(of: Never.self)
        defer { continuation.finish() }
        for await _ in stream {}
    }

    public func send(_ message: RaftMessage) {
        network.route(message)
    }

    public func updatePeers(_ addresses: [RaftNodeID: String]) {}
}
