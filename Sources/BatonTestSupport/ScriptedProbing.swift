import BatonCore
import BatonEngine
import BatonMySQL
import Synchronization

/// An `InstanceProbing` that answers from a script instead of servers: for testing scheduling, crawling and
/// the API in-process. What real servers answer is proven by the system tests.
public final class ScriptedProbing: InstanceProbing {
    public enum Answer: Sendable {
        case facts(InstanceFacts)
        case fail(String)
        /// Never answers until `set` gives another answer or the probe is cancelled (a server that accepts and
        /// hangs).
        case hang
    }

    struct State {
        var answers: [InstanceKey: Answer] = [:]
        var probeCounts: [InstanceKey: Int] = [:]
        var running: [InstanceKey: Int] = [:]
        var maxConcurrentPerKey = 0
        var released: [InstanceKey] = []
    }
    private let state = Mutex(State())
    /// Signalled when a probe starts, when one answers and when a connection is released, so that a test waits
    /// for them without sleeping.
    public let events = ChangeSignal()
    /// Signalled by `set`: a hanging probe looks at its answer again.
    private let answersChanged = ChangeSignal()
    public let connectionLosses: AsyncStream<ConnectionLoss>
    private let lossContinuation: AsyncStream<ConnectionLoss>.Continuation

    public init() {
        (connectionLosses, lossContinuation) = AsyncStream<ConnectionLoss>.makeStream()
    }

    /// Reports that `key`'s server closed its connection, as a dying server's socket would.
    public func loseConnection(_ key: InstanceKey, reason: String = "connection reset by peer") {
        lossContinuation.yield(ConnectionLoss(key: key, reason: reason))
    }

    public func set(_ key: InstanceKey, _ answer: Answer) {
        state.withLock { $0.answers[key] = answer }
        answersChanged.signal()
    }

    public func probeCount(_ key: InstanceKey) -> Int { state.withLock { $0.probeCounts[key] ?? 0 } }

    /// The most probes of one instance that ever ran at the same time (must stay 1).
    public var maxConcurrentProbesOfOneInstance: Int { state.withLock { $0.maxConcurrentPerKey } }

    public var released: [InstanceKey] { state.withLock { $0.released } }

    public func probe(_ key: InstanceKey) async -> ProbeOutcome {
        let answer = state.withLock { state -> Answer in
            state.probeCounts[key, default: 0] += 1
            state.running[key, default: 0] += 1
            state.maxConcurrentPerKey = max(state.maxConcurrentPerKey, state.running[key] ?? 0)
            return state.answers[key] ?? .fail("connection refused")
        }
        events.signal()
        defer {
            state.withLock { $0.running[key, default: 1] -= 1 }
            events.signal()
        }
        switch answer {
        case .facts(let facts):
            return .success(facts)
        case .fail(let message):
            return .failure(ProbeError(message))
        case .hang:
            // Hangs until the answer changes (a hanging server that `set` brings back) or the task is cancelled.
            while !Task.isCancelled {
                let seen = answersChanged.generation
                guard case .hang = state.withLock({ $0.answers[key] ?? .fail("") }) else { break }
                await answersChanged.wait(after: seen)
            }
            return .failure(ProbeError("timed out"))
        }
    }

    /// How many probes are running now.
    public var runningProbes: Int { state.withLock { $0.running.values.reduce(0, +) } }

    public func release(_ key: InstanceKey) async {
        state.withLock { $0.released.append(key) }
        events.signal()
    }

    public func shutdown() async {}
}

extension InstanceFacts {
    /// Facts of a MariaDB server for scripted probes: `source` makes it a running replica, `replicas` are the
    /// hosts registered with it.
    public static func mariaDB(
        serverID: UInt32, source: InstanceKey? = nil, replicas: [InstanceKey] = [], reportHost: String = ""
    ) -> InstanceFacts {
        var facts = InstanceFacts()
        facts.serverID = serverID
        facts.version = ServerVersion(parsing: "10.11.6-MariaDB-log")
        facts.reportHost = reportHost
        facts.reportedHostname = reportHost
        facts.readOnly = source != nil
        facts.logBinEnabled = true
        facts.logReplicaUpdatesEnabled = true
        facts.binlogFormat = "ROW"
        facts.gtidMode = "ON"
        facts.executedGTIDSet = "0-1-\(serverID)"
        if let source {
            facts.replication = ReplicationStatus(
                sourceKey: source, ioThread: .running, sqlThread: .running, secondsBehindSource: 0,
                usingGTID: "Slave_Pos")
        }
        facts.replicaKeys = replicas
        return facts
    }
}
