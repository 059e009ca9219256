import BatonRaft

/// One line of the event trace, kept compact and formatted only when shown.
enum RaftSimulationTraceEvent {
    case tick(RaftNodeID)
    case deliver(RaftMessage)
    case drop(RaftMessage, String)
    case persisted(RaftNodeID, entries: Int, hardState: RaftHardState?)
    case role(RaftNodeID, RaftSoftState)
    case fault(String)
    case propose(RaftNodeID, op: UInt64, RaftLogPosition)
    case acknowledge(RaftNodeID, op: UInt64)
    case note(String)

    /// Numbers mixed into the digest.
    var codes: (UInt64, UInt64, UInt64) {
        switch self {
        case .tick(let node): (1, node.rawValue, 0)
        case .deliver(let m): (2, m.from.rawValue << 8 | m.to.rawValue, m.term << 8 | m.payload.code)
        case .drop(let m, _): (3, m.from.rawValue << 8 | m.to.rawValue, m.term << 8 | m.payload.code)
        case .persisted(let node, let entries, let hard):
            (4, node.rawValue, UInt64(entries) << 32 | (hard?.term ?? 0) << 16 | (hard?.commit ?? 0))
        case .role(let node, let soft): (5, node.rawValue, soft.term << 8 | UInt64(soft.leader?.rawValue ?? 0))
        case .fault(let text): (6, UInt64(text.utf8.count), UInt64(text.utf8.first ?? 0))
        case .propose(let node, let op, let position): (7, node.rawValue << 32 | op, position.index)
        case .acknowledge(let node, let op): (8, node.rawValue, op)
        case .note(let text): (9, UInt64(text.utf8.count), 0)
        }
    }

    var line: String {
        switch self {
        case .tick(let node): "tick n\(node)"
        case .deliver(let m): "deliver \(m.summary)"
        case .drop(let m, let why): "drop(\(why)) \(m.summary)"
        case .persisted(let node, let entries, let hard):
            "n\(node) persisted \(entries) entries" + (hard.map { " term=\($0.term) vote=\($0.vote.map { "n\($0)" } ?? "-") commit=\($0.commit)" } ?? "")
        case .role(let node, let soft):
            "n\(node) is \(soft.role.rawValue) term=\(soft.term) leader=\(soft.leader.map { "n\($0)" } ?? "-")"
        case .fault(let text): "FAULT \(text)"
        case .propose(let node, let op, let position): "client op\(op) proposed at n\(node) → \(position)"
        case .acknowledge(let node, let op): "client op\(op) acknowledged by n\(node)"
        case .note(let text): text
        }
    }
}

extension RaftMessage.Payload {
    var code: UInt64 {
        switch self {
        case .voteRequest(let r): r.preVote ? 1 : 2
        case .voteResponse(let r): (r.preVote ? 3 : 4) | (r.granted ? 16 : 0)
        case .appendEntries(let a): 5 | UInt64(a.entries.count) << 8 | a.previous.index << 16
        case .appendResponse(let r): (r.success ? 6 : 7) | r.index << 8
        case .heartbeat(let h): 8 | h.commit << 8
        case .heartbeatResponse: 9
        case .installSnapshot(let s): 10 | s.offset << 8
        case .installSnapshotResponse(let r): 11 | r.nextOffset << 8
        case .timeoutNow: 12
        }
    }
}

extension RaftMessage {
    var summary: String {
        let head = "n\(from)→n\(to) t\(term)"
        switch payload {
        case .voteRequest(let r):
            return "\(head) \(r.preVote ? "PreVote" : "Vote") last=\(r.lastLog)\(r.transfer ? " transfer" : "")"
        case .voteResponse(let r):
            return "\(head) \(r.preVote ? "PreVote" : "Vote")\(r.granted ? "Granted" : "Refused")"
        case .appendEntries(let a):
            let range = a.entries.isEmpty ? "" : " \(a.entries[0].index)...\(a.entries[a.entries.count - 1].index)"
            return "\(head) Append prev=\(a.previous)\(range) commit=\(a.commit)"
        case .appendResponse(let r):
            return "\(head) Append\(r.success ? "OK" : "Reject") index=\(r.index)\(r.success ? "" : " hint=\(r.hint)")"
        case .heartbeat(let h): return "\(head) Heartbeat commit=\(h.commit)"
        case .heartbeatResponse: return "\(head) HeartbeatResponse"
        case .installSnapshot(let s):
            return "\(head) Snapshot \(s.metadata.position) bytes \(s.offset)+\(s.chunk.count)/\(s.totalSize)"
        case .installSnapshotResponse(let r):
            return "\(head) SnapshotResponse next=\(r.nextOffset)\(r.done ? " done index=\(r.index)" : "")"
        case .timeoutNow: return "\(head) TimeoutNow"
        }
    }
}

/// The event trace of a run: a running FNV-1a digest over every event, and the last events for a failure report.
struct RaftSimulationTrace {
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325
    private var tail: [(UInt64, RaftSimulationTraceEvent)] = []
    private var tailStart = 0
    let tailLength: Int
    let verbose: Bool
    private(set) var all: [String] = []

    init(tailLength: Int, verbose: Bool) {
        self.tailLength = max(tailLength, 1)
        self.verbose = verbose
    }

    private mutating func mix(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            digest ^= v & 0xFF
            digest = digest &* 0x100_0000_01B3
            v >>= 8
        }
    }

    mutating func record(_ time: UInt64, _ event: RaftSimulationTraceEvent) {
        mix(time)
        let codes = event.codes
        mix(codes.0)
        mix(codes.1)
        mix(codes.2)
        if verbose { all.append("t=\(time) \(event.line)") }
        if tail.count < tailLength {
            tail.append((time, event))
        } else {
            tail[tailStart] = (time, event)
            tailStart = (tailStart + 1) % tailLength
        }
    }

    var lines: [String] { (tail[tailStart...] + tail[..<tailStart]).map { "t=\($0.0) \($0.1.line)" } }
}
