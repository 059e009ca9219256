import BatonCore
import BatonStore
import Foundation

/// A change to the state every Baton node must hold identically. With Raft each command is an entry of the
/// replicated log, applied in log order on every node; on a single node it is applied at once. Commands carry every
/// value they need (times included), so applying one gives the same result everywhere.
public enum BatonCommand: Codable, Sendable, Equatable {
    case discover(InstanceKey)
    case forget(InstanceKey)
    /// Forgets every instance of a cluster (each node forgets the ones it knows under that name).
    case forgetCluster(String)
    /// A failure detection, registered once by the leader (one per instance per active period).
    case registerDetection(FailureDetectionRecord)
    case beginDowntime(Downtime, beginsAt: Date)
    case endDowntime(InstanceKey, at: Date)
    case registerCandidate(CandidateRegistration)
    case setRecoveriesEnabled(Bool)
    /// Registers a recovery unless its cluster has one running (the per-cluster lock, across nodes) or `rules`
    /// refuse it, checked against the replicated state at the record's `startedAt`. The stored id is the entry's log
    /// index.
    case registerRecovery(RecoveryRecord, RegistrationRules)
    /// One audit line; its id is the entry's log index.
    case recoveryStep(RecoveryStepRecord)
    /// Marks a running recovery as about to change servers; refused (count 0) once it has ended.
    case markExecuting(uid: String, at: Date)
    /// Resolves a running recovery; a recovery that has ended keeps its resolution (count 0).
    case resolveRecovery(uid: String, RecoveryResolution)
    case acknowledgeRecoveries(RecoveryScope, by: String, comment: String, at: Date)
    /// The leader's HTTP API, published when it takes office, so that followers can forward mutating calls to it.
    case leaderAPI(node: UInt64, url: String)
    /// A node's HTTP API, reported by the node to the leader (and implied by `leaderAPI`), so that the leader can ask
    /// every voter for its view in a confirmation round.
    case nodeAPI(node: UInt64, url: String)

    /// The log's encoding: a version, then the command as JSON. A node refuses a version it does not know rather
    /// than guess.
    ///
    /// Version 2: `registerRecovery` carries its `RegistrationRules` (checked when applied), `markExecuting` is new,
    /// recoveries carry `executingAt` and `confirmationDocument`, and rows are numbered by log index. A version-1
    /// node must not apply these entries: it would register recoveries the rules refuse and number rows its own way,
    /// so its state would differ from the group's. A version-2 node still reads version-1 entries (its log from
    /// before the upgrade), as the lock-only registrations they were.
    struct Envelope: Codable {
        var v: Int
        var command: BatonCommand
    }

    static let version = 2

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return Array(try encoder.encode(Envelope(v: Self.version, command: self)))
    }

    public static func decode(_ bytes: [UInt8]) throws -> BatonCommand {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let version = try decoder.decode(VersionOnly.self, from: Data(bytes)).v
        switch version {
        case Self.version:
            return try decoder.decode(Envelope.self, from: Data(bytes)).command
        case 1:
            return try decoder.decode(Envelope.self, from: Self.upgradedFromVersion1(bytes)).command
        default:
            throw CommandError("command version \(version) is not supported by this node (it knows 1 and \(Self.version))")
        }
    }

    struct VersionOnly: Decodable {
        var v: Int
    }

    /// A version-1 entry (a log written before the upgrade) as version 2: a `registerRecovery` gets the rules
    /// version 1 applied — the per-cluster lock only. Its rows are numbered by log index like any other.
    static func upgradedFromVersion1(_ bytes: [UInt8]) throws -> Data {
        guard var envelope = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            var command = envelope["command"] as? [String: Any]
        else { throw CommandError("a version-1 command that is not a JSON object") }
        if var registration = command["registerRecovery"] as? [String: Any], registration["_1"] == nil {
            registration["_1"] = ["isManual": true, "blockSeconds": 0]
            command["registerRecovery"] = registration
        }
        envelope["command"] = command
        envelope["v"] = Self.version
        return try JSONSerialization.data(withJSONObject: envelope)
    }
}

/// What applying a command answered.
public struct BatonCommandResult: Codable, Sendable, Equatable {
    /// The registered recovery (with its id), for `registerRecovery`.
    public var recovery: RecoveryRecord?
    /// The running recovery that holds the cluster, when `registerRecovery` was refused for it.
    public var lockedBy: RecoveryRecord?
    /// Why `registerRecovery` was refused (a running recovery, the global switch, a downtime, anti-flapping).
    public var refusal: String?
    /// The recovery in the way of a refused `registerRecovery` (running, or blocking by anti-flapping), if any.
    public var blockingRecovery: RecoveryRecord?
    /// How many rows changed (acknowledgements), or whether something existed (end of a downtime: 1 or 0).
    public var count: Int
    /// Why the command could not take effect, for commands that can fail on every node alike.
    public var error: String?
    /// The detection in force, for `registerDetection`: the one registered (with its id), or one registered
    /// earlier whose active period still runs.
    public var detection: FailureDetectionRecord?

    public init(
        recovery: RecoveryRecord? = nil, lockedBy: RecoveryRecord? = nil, refusal: String? = nil,
        blockingRecovery: RecoveryRecord? = nil, count: Int = 0, error: String? = nil,
        detection: FailureDetectionRecord? = nil
    ) {
        self.recovery = recovery
        self.lockedBy = lockedBy
        self.refusal = refusal
        self.blockingRecovery = blockingRecovery
        self.count = count
        self.error = error
        self.detection = detection
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return (try? Array(encoder.encode(self))) ?? Array(#"{"count":0,"error":"cannot encode the result"}"#.utf8)
    }

    static func decode(_ bytes: [UInt8]) throws -> BatonCommandResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(BatonCommandResult.self, from: Data(bytes))
    }
}

/// A command that could not be submitted or applied.
public struct CommandError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// This node does not lead; the leader's API, when known, for forwarding.
    public var leaderAPI: String?
    public var notLeader: Bool

    public init(_ message: String, notLeader: Bool = false, leaderAPI: String? = nil) {
        self.message = message
        self.notLeader = notLeader
        self.leaderAPI = leaderAPI
    }

    public var description: String { message }
}
