/// How one ``RaftNode`` runs: its identity, its timing and the state machine's options.
public struct RaftNodeConfiguration: Sendable {
    /// This node's stable id.
    public var id: RaftNodeID
    /// The founding configuration of a new cluster, used only when the storage is empty; every founder must be given
    /// the same one. Nil for a node that joins an existing cluster: it waits until a leader adds it.
    public var bootstrap: RaftMembership?
    /// Options of the state machine. A `randomSeed` of 0 is replaced by a random one at start-up.
    public var options: RaftOptions
    /// Time between two ticks of the state machine: the election timeout is `options.electionTicks` ticks (drawn in
    /// [1, 2) times that), heartbeats go every `options.heartbeatTicks` ticks.
    public var tickInterval: Duration
    /// How long ``RaftNode/propose(_:timeout:)`` and the membership and transfer requests wait by default.
    public var requestTimeout: Duration
    /// The largest command ``RaftNode/propose(_:timeout:)`` accepts, in bytes.
    public var maxCommandSize: Int
    /// Messages received but not yet handled beyond which further ones are dropped (a flood must not exhaust memory).
    public var maxQueuedMessages: Int

    public init(
        id: RaftNodeID, bootstrap: RaftMembership? = nil, options: RaftOptions = RaftOptions(),
        tickInterval: Duration = .milliseconds(100), requestTimeout: Duration = .seconds(10),
        maxCommandSize: Int = 1 << 20, maxQueuedMessages: Int = 16_384
    ) {
        self.id = id
        self.bootstrap = bootstrap
        self.options = options
        self.tickInterval = tickInterval
        self.requestTimeout = requestTimeout
        self.maxCommandSize = maxCommandSize
        self.maxQueuedMessages = maxQueuedMessages
    }

    /// The shortest election timeout, in time.
    public var electionTimeout: Duration { tickInterval * options.electionTicks }

    /// Bytes a message needs beyond its entries or snapshot chunk: header, positions, per-entry fields, membership.
    static let messageOverhead = 64 * 1024

    /// Throws when the options are out of range or messages could exceed what the transport carries.
    public func validate(maxMessageSize: Int) throws(RaftNodeError) {
        do {
            try options.validate()
        } catch {
            throw RaftNodeError(.invalidConfiguration, error.message, raftError: error)
        }
        guard tickInterval > .zero else {
            throw RaftNodeError(.invalidConfiguration, "the tick interval must be positive")
        }
        guard maxCommandSize >= 1, maxQueuedMessages >= 1 else {
            throw RaftNodeError(.invalidConfiguration, "maxCommandSize and maxQueuedMessages must be positive")
        }
        // An AppendEntries carries at most max(maxBytesPerMessage, one command) of entry data.
        let append =
            max(options.maxBytesPerMessage, maxCommandSize) + options.maxEntriesPerMessage * 32 + Self.messageOverhead
        guard append <= maxMessageSize else {
            throw RaftNodeError(
                .invalidConfiguration,
                "an AppendEntries of maxBytesPerMessage \(options.maxBytesPerMessage) or a command of "
                    + "maxCommandSize \(maxCommandSize) would not fit the transport's \(maxMessageSize)-byte messages")
        }
        guard options.snapshotChunkSize + Self.messageOverhead <= maxMessageSize else {
            throw RaftNodeError(
                .invalidConfiguration,
                "snapshot chunks of \(options.snapshotChunkSize) bytes would not fit the transport's "
                    + "\(maxMessageSize)-byte messages")
        }
    }
}
