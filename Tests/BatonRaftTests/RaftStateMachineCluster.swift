import BatonRaft

/// A small synchronous cluster for unit tests, in the manner of etcd's `network`: every node persists instantly,
/// messages wait in one queue until `deliver` or `stabilize`, and filters drop what a test wants dropped.
final class RaftStateMachineCluster {
    var nodes: [RaftNodeID: RaftStateMachine] = [:]
    var durable: [RaftNodeID: RaftDurableState] = [:]
    /// Commands applied by each node, in order (data of `.command` entries).
    var applied: [RaftNodeID: [[UInt8]]] = [:]
    /// Snapshot bytes each node restored from a leader.
    var restored: [RaftNodeID: [UInt8]] = [:]
    var queue: [RaftMessage] = []
    /// Messages for which this returns true are dropped.
    var drop: (RaftMessage) -> Bool = { _ in false }
    /// Rewrites a message on delivery (to damage it, for example).
    var transform: (RaftMessage) -> RaftMessage = { $0 }
    /// Every message delivered, for assertions.
    var delivered: [RaftMessage] = []
    /// Answers snapshot requests with the node's applied commands, joined.
    var answerSnapshotRequests = false

    init(_ ids: [RaftNodeID], options: RaftOptions = RaftStateMachineCluster.defaultOptions) {
        let membership = RaftMembership(ids.map { RaftMember(id: $0, address: "node\($0)") })
        for id in ids { add(id, durable: .bootstrap(membership), options: options) }
    }

    static var defaultOptions: RaftOptions {
        var options = RaftOptions()
        options.electionTicks = 10
        options.heartbeatTicks = 1
        options.snapshotThreshold = 0
        return options
    }

    func add(_ id: RaftNodeID, durable state: RaftDurableState, options: RaftOptions = RaftStateMachineCluster.defaultOptions) {
        var options = options
        options.randomSeed = id.rawValue
        nodes[id] = try! RaftStateMachine(id: id, options: options, durable: state)
        durable[id] = state
        applied[id] = applied[id] ?? []
    }

    subscript(_ id: RaftNodeID) -> RaftStateMachine {
        get { nodes[id]! }
        set { nodes[id] = newValue }
    }

    /// Collects every node's ready batch: persist, queue messages, apply.
    func collect() {
        for id in nodes.keys.sorted() {
            while let ready = nodes[id]!.takeReady() {
                durable[id]!.persist(ready)
                queue.append(contentsOf: ready.messages)
                if let snapshot = ready.snapshotToApply {
                    restored[id] = snapshot.data
                    applied[id] = decodeSnapshot(snapshot.data)
                }
                for entry in ready.committedEntries where entry.kind == .command { applied[id]!.append(entry.data) }
                if let index = ready.snapshotRequest, answerSnapshotRequests {
                    try! nodes[id]!.snapshotTaken(index: index, data: encodeSnapshot(applied[id]!))
                }
            }
        }
    }

    func encodeSnapshot(_ commands: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for command in commands { bytes.append(UInt8(command.count)); bytes.append(contentsOf: command) }
        return bytes
    }

    func decodeSnapshot(_ bytes: [UInt8]) -> [[UInt8]] {
        var commands: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let n = Int(bytes[i])
            commands.append(Array(bytes[(i + 1)..<(i + 1 + n)]))
            i += 1 + n
        }
        return commands
    }

    /// Delivers queued messages (and what they cause) until nothing is left.
    func stabilize(maxMessages: Int = 100_000) {
        collect()
        var count = 0
        while !queue.isEmpty && count < maxMessages {
            let message = queue.removeFirst()
            count += 1
            guard !drop(message), nodes[message.to] != nil else { continue }
            let arriving = transform(message)
            delivered.append(arriving)
            nodes[message.to]!.step(arriving)
            collect()
        }
    }

    func tick(_ id: RaftNodeID, _ times: Int = 1) {
        for _ in 0..<times { nodes[id]!.tick() }
        collect()
    }

    /// Ticks `id` until it campaigns, then delivers everything.
    func campaign(_ id: RaftNodeID) {
        var ticks = 0
        while nodes[id]!.currentRole == .follower && ticks < 100 {
            nodes[id]!.tick()
            ticks += 1
        }
        stabilize()
    }

    /// Ticks every node once, then delivers everything.
    func tickAll(_ times: Int = 1) {
        for _ in 0..<times {
            for id in nodes.keys.sorted() { nodes[id]!.tick() }
            stabilize()
        }
    }

    func propose(_ id: RaftNodeID, _ text: String) throws(RaftError) {
        try nodes[id]!.propose(Array(text.utf8))
        stabilize()
    }

    func isolate(_ id: RaftNodeID) { drop = { $0.from == id || $0.to == id } }
    func heal() { drop = { _ in false } }

    var leaders: [RaftNodeID] { nodes.keys.sorted().filter { nodes[$0]!.currentRole == .leader } }

    func appliedStrings(_ id: RaftNodeID) -> [String] { applied[id]!.map { String(decoding: $0, as: UTF8.self) } }

    /// A node restarted from its durable state (volatile state lost).
    func restart(_ id: RaftNodeID, options: RaftOptions = RaftStateMachineCluster.defaultOptions) {
        queue.removeAll { $0.to == id }
        applied[id] = []
        add(id, durable: durable[id]!, options: options)
        if let snapshot = durable[id]!.snapshot { applied[id] = decodeSnapshot(snapshot.data) }
    }
}

/// A durable state whose log holds entries with the given terms (index 1 first), for the paper's scenarios.
/// The membership comes from an empty snapshot at index 0; entry data names its position so that equal
/// positions hold equal entries.
func durableLog(terms: [UInt64], term: UInt64, voters: [RaftNodeID]) -> RaftDurableState {
    let membership = RaftMembership(voters.map { RaftMember(id: $0) })
    let entries = terms.enumerated().map { offset, entryTerm in
        RaftEntry(index: UInt64(offset + 1), term: entryTerm, data: [UInt8(offset + 1), UInt8(entryTerm)])
    }
    return RaftDurableState(
        hardState: RaftHardState(term: term),
        snapshot: RaftSnapshot(metadata: RaftSnapshotMetadata(index: 0, term: 0, membership: membership), data: []),
        entries: entries)
}

extension RaftMessage {
    var isAppendRejection: Bool {
        if case .appendResponse(let r) = payload { return !r.success }
        return false
    }
    var isVoteRequest: Bool {
        if case .voteRequest = payload { return true }
        return false
    }
    var isAppend: Bool {
        if case .appendEntries = payload { return true }
        return false
    }
}
