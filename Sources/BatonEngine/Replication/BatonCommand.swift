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
    /// Registers a recovery unless its cluster has one running: the per-cluster lock, across nodes.
    case registerRecovery(RecoveryRecord)
    case recoveryStep(RecoveryStepRecord)
    case resolveRecovery(uid: String, RecoveryResolution)
    case acknowledgeRecoveries(RecoveryScope, by: String, comment: String, at: Date)
    /// The leader's HTTP API, published when it takes office, so that followers can forward mutating calls to it.
    case leaderAPI(node: UInt64, url: String)
    /// A node's HTTP API, reported by the node to the leader (and implied by `leaderAPI`), so that the leader can ask
    /// every voter for its view in a confirmation round.
    case nodeAPI(node: UInt64, url: String)

    /// The log's encoding: a version, then the command as JSON. A node refuses a version it does not know rather
    /// than guess.
    struct Envelope: Codable {
        var v: Int
        var command: BatonCommand
    }

    static let version = 1

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return Array(try encoder.encode(Envelope(v: Self.version, command: self)))
    }

    public static func decode(_ bytes: [UInt8]) throws -> BatonCommand {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let envelope = try decoder.decode(Envelope.self, from: Data(bytes))
        guard envelope.v == version else {
            throw CommandError("command version \(envelope.v) is not supported by this node (it knows \(version))")
        }
        return envelope.command
    }
}

/// What applying a command answered.
public struct BatonCommandResult: Codable, Sendable, Equatable {
    /// The registered recovery (with its id), for `registerRecovery`.
    public var recovery: RecoveryRecord?
    /// The running recovery that holds the cluster, when `registerRecovery` was refused.
    public var lockedBy: RecoveryRecord?
    /// How many rows changed (acknowledgements), or whether something existed (end of a downtime: 1 or 0).
    public var count: Int
    /// Why the command could not take effect, for commands that can fail on every node alike.
    public var error: String?
    /// The detection in force, for `registerDetection`: the one registered (with its id), or one registered
    /// earlier whose active period still runs.
    public var detection: FailureDetectionRecord?

    public init(
        recovery: RecoveryRecord? = nil, lockedBy: RecoveryRecord? = nil, count: Int = 0, error: String? = nil,
        detection: FailureDetectionRecord? = nil
    ) {
        self.recovery = recovery
        self.lockedBy = lockedBy
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
