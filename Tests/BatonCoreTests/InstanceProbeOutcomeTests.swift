import BatonCore
import Foundation
import Testing

/// How one probe outcome changes what is known of an instance (`Instance.record`).
@Suite struct InstanceProbeOutcomeTests {
    static let key = InstanceKey(hostname: "db-2", port: 3306)
    static let source = InstanceKey(hostname: "db-1", port: 3306)
    static let previous = Date(timeIntervalSince1970: 1_700_000_000)
    static let started = previous.addingTimeInterval(10)
    static let finished = started.addingTimeInterval(0.25)
    static let latency = Duration.milliseconds(250)
    static let location = Instance.Location(dataCenter: "dc2", region: "eu", physicalEnvironment: "prod")

    struct ProbeFailed: Error, CustomStringConvertible {
        let description: String
    }

    enum Before: String, Sendable {
        /// Registered, never probed.
        case fresh
        /// Last probed successfully at `previous`.
        case seen
        /// Seen at `previous`, then a probe failed.
        case seenThenFailed
    }

    enum Outcome: String, Sendable {
        case success, partial, failure

        var probeOutcome: ProbeOutcome {
            switch self {
            case .success:
                var facts = InstanceFacts()
                facts.serverID = 2
                facts.replication = ReplicationStatus(sourceKey: InstanceProbeOutcomeTests.source, ioThread: .running, sqlThread: .running)
                facts.binlogFile = "bin.000008"
                return .success(facts)
            case .partial:
                // Identity was read, then the status query timed out.
                var facts = InstanceFacts()
                facts.serverID = 2
                facts.serverUUID = "uuid-2"
                facts.readOnly = false
                return .partial(facts, ProbeFailed(description: "read timeout"))
            case .failure:
                return .failure(ProbeFailed(description: "connection refused"))
            }
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var before: Before
        var outcome: Outcome
        var lastSeen: Date?
        var serverID: UInt32
        var serverUUID: String
        var binlogFile: String
        var replicating: Bool
        var readOnly: Bool
        var lastError: String
        var partial: Bool
        var valid: Bool
        var latencyNanoseconds: Int64
        var dataCenter: String

        var testDescription: String { "\(before.rawValue) × \(outcome.rawValue)" }
    }

    static let rows: [Row] = [
        Row(
            before: .fresh, outcome: .success, lastSeen: finished, serverID: 2, serverUUID: "",
            binlogFile: "bin.000008", replicating: true, readOnly: false, lastError: "", partial: false, valid: true,
            latencyNanoseconds: 250_000_000, dataCenter: "dc2"),
        Row(
            before: .fresh, outcome: .partial, lastSeen: nil, serverID: 2, serverUUID: "uuid-2", binlogFile: "",
            replicating: false, readOnly: false, lastError: "read timeout", partial: true, valid: false,
            latencyNanoseconds: 0, dataCenter: ""),
        Row(
            before: .fresh, outcome: .failure, lastSeen: nil, serverID: 0, serverUUID: "", binlogFile: "",
            replicating: false, readOnly: false, lastError: "connection refused", partial: false, valid: false,
            latencyNanoseconds: 0, dataCenter: ""),
        Row(
            before: .seen, outcome: .success, lastSeen: finished, serverID: 2, serverUUID: "",
            binlogFile: "bin.000008", replicating: true, readOnly: false, lastError: "", partial: false, valid: true,
            latencyNanoseconds: 250_000_000, dataCenter: "dc2"),
        // A partial probe after a success takes the identity it read and keeps the replication facts.
        Row(
            before: .seen, outcome: .partial, lastSeen: previous, serverID: 2, serverUUID: "uuid-2",
            binlogFile: "bin.000007", replicating: true, readOnly: false, lastError: "read timeout", partial: true,
            valid: false, latencyNanoseconds: 1_000_000, dataCenter: "dc1"),
        // A failure after a success keeps every fact, and the last check is no longer valid.
        Row(
            before: .seen, outcome: .failure, lastSeen: previous, serverID: 2, serverUUID: "uuid-old",
            binlogFile: "bin.000007", replicating: true, readOnly: true, lastError: "connection refused",
            partial: false, valid: false, latencyNanoseconds: 1_000_000, dataCenter: "dc1"),
        // A success clears the last error.
        Row(
            before: .seenThenFailed, outcome: .success, lastSeen: finished, serverID: 2, serverUUID: "",
            binlogFile: "bin.000008", replicating: true, readOnly: false, lastError: "", partial: false, valid: true,
            latencyNanoseconds: 250_000_000, dataCenter: "dc2"),
        Row(
            before: .seenThenFailed, outcome: .failure, lastSeen: previous, serverID: 2, serverUUID: "uuid-old",
            binlogFile: "bin.000007", replicating: true, readOnly: true, lastError: "connection refused",
            partial: false, valid: false, latencyNanoseconds: 1_000_000, dataCenter: "dc1"),
    ]

    static func instance(_ before: Before) -> Instance {
        var instance = Instance(key: key)
        instance.firstSeen = previous.addingTimeInterval(-60)
        guard before != .fresh else { return instance }
        instance.facts.serverID = 2
        instance.facts.serverUUID = "uuid-old"
        instance.facts.readOnly = true
        instance.facts.binlogFile = "bin.000007"
        instance.facts.replication = ReplicationStatus(sourceKey: source, ioThread: .running, sqlThread: .running)
        instance.lastAttempted = previous
        instance.lastChecked = previous
        instance.lastSeen = previous
        instance.lastProbeLatencyNanoseconds = 1_000_000
        instance.dataCenter = "dc1"
        if before == .seenThenFailed {
            instance.lastAttempted = previous.addingTimeInterval(5)
            instance.lastChecked = previous.addingTimeInterval(5)
            instance.lastError = "connection refused"
        }
        return instance
    }

    @Test(arguments: rows) func recordsTheOutcome(_ row: Row) {
        var instance = Self.instance(row.before)
        instance.record(
            row.outcome.probeOutcome, startedAt: Self.started, finishedAt: Self.finished, latency: Self.latency,
            location: Self.location)
        #expect(instance.lastAttempted == Self.started, "stamped with when the probe started")
        #expect(instance.lastChecked == Self.finished)
        #expect(instance.lastSeen == row.lastSeen)
        #expect(instance.facts.serverID == row.serverID)
        #expect(instance.facts.serverUUID == row.serverUUID)
        #expect(instance.facts.binlogFile == row.binlogFile)
        #expect((instance.facts.replication != nil) == row.replicating)
        #expect(instance.facts.readOnly == row.readOnly)
        #expect(instance.lastError == row.lastError)
        #expect(instance.isLastCheckPartial == row.partial)
        #expect(instance.isLastCheckValid(pollSeconds: 5) == row.valid)
        #expect(instance.lastProbeLatencyNanoseconds == row.latencyNanoseconds)
        #expect(instance.dataCenter == row.dataCenter)
        #expect(instance.firstSeen == Self.previous.addingTimeInterval(-60), "never changed by a probe")
    }

    @Test func aLostConnectionIsAFailedCheckThatKeepsTheFacts() {
        var instance = Self.instance(.seen)
        instance.recordLostConnection("connection reset by peer", at: Self.finished)
        #expect(instance.lastChecked == Self.finished)
        #expect(instance.lastAttempted == Self.previous)
        #expect(instance.lastError == "connection reset by peer")
        #expect(!instance.isLastCheckValid(pollSeconds: 5))
        #expect(instance.facts.binlogFile == "bin.000007")
    }
}
