/// Carries Raft messages between nodes: ``RaftTCPTransport`` between processes, ``RaftInMemoryTransport`` in tests.
///
/// Delivery is best effort, as Raft expects of a network: a message may be lost (a full queue, a peer that is down),
/// but a transport never corrupts one, and never delivers one that failed authentication or decoding.
public protocol RaftTransport: Sendable {
    /// The largest encoded message the transport carries; the node checks its options against it at start-up.
    var maxMessageSize: Int { get }

    /// Runs until cancelled: receives messages for this node and hands each to `deliver`, and keeps the connections
    /// that ``send(_:)`` needs. Called once.
    func run(delivering deliver: @escaping @Sendable (RaftMessage) -> Void) async throws

    /// Queues `message` for `message.to` without waiting; drops it when the peer's queue is full or the peer is not
    /// reachable.
    func send(_ message: RaftMessage)

    /// Where the other members are reached (`host:port`), from the configuration in force; called whenever it
    /// changes. An address takes effect on the next connection to that peer.
    func updatePeers(_ addresses: [RaftNodeID: String])
}
