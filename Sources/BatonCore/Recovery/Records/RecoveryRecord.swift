import Foundation

/// One recovery as stored: registered when it starts (which takes the cluster's lock), resolved when it ends.
///
/// A recovery with `endedAt == nil` is running, and no other recovery of its cluster can be registered until it is
/// resolved — however long that takes (unlike orchestrator, whose block lapses after a fixed time, #1217).
public struct RecoveryRecord: Sendable, Equatable, Codable {
    public var id: Int64
    /// A unique id that hooks and the audit steps refer to.
    public var uid: String
    public var failedKey: InstanceKey
    public var clusterName: String
    public var clusterAlias: String
    /// The analysis code that triggered it (`DeadMaster`, …).
    public var analysis: AnalysisCode
    public var kind: Kind
    /// What started it: empty for an automatic recovery, else `recover`, `force-master-failover`, …
    public var command: String
    /// The Baton node that runs it.
    public var processingNode: String
    public var startedAt: Date
    /// When the recovery was marked as about to change servers (`markExecuting`), `nil` before. A recovery
    /// interrupted before this mark never touched a server: it is resolved as not attempted and does not block.
    public var executingAt: Date?
    public var endedAt: Date?
    /// False when it stopped before changing any server (a pre-failover hook or the policy said no, no candidate):
    /// such a recovery does not count for anti-flapping.
    public var attempted: Bool
    public var isSuccessful: Bool
    public var successor: InstanceKey?
    public var successorAlias: String
    public var lostReplicas: [InstanceKey]
    public var participatingInstances: [InstanceKey]
    public var errors: [String]
    public var acknowledged: Bool
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String
    public var acknowledgedComment: String
    public var lastDetectionID: Int64
    /// SHA-256 of the Lua policy that decided, empty without a policy.
    public var policyHash: String
    /// The analysis row, JSON, as the API returns it.
    public var analysisDocument: Data
    /// The group's votes on this recovery, a JSON object; empty until someone records them.
    public var confirmationDocument: Data

    public enum Kind: String, Sendable, Equatable, Codable {
        case masterRecovery = "MasterRecovery"
        case intermediateMasterRecovery = "IntermediateMasterRecovery"
    }

    public init(
        id: Int64 = 0, uid: String, failedKey: InstanceKey, clusterName: String, clusterAlias: String = "",
        analysis: AnalysisCode, kind: Kind, command: String = "", processingNode: String, startedAt: Date,
        lastDetectionID: Int64 = 0, policyHash: String = "", analysisDocument: Data = Data("{}".utf8)
    ) {
        self.id = id
        self.uid = uid
        self.failedKey = failedKey
        self.clusterName = clusterName
        self.clusterAlias = clusterAlias
        self.analysis = analysis
        self.kind = kind
        self.command = command
        self.processingNode = processingNode
        self.startedAt = startedAt
        executingAt = nil
        endedAt = nil
        attempted = true
        isSuccessful = false
        successor = nil
        successorAlias = ""
        lostReplicas = []
        participatingInstances = []
        errors = []
        acknowledged = false
        acknowledgedAt = nil
        acknowledgedBy = ""
        acknowledgedComment = ""
        self.lastDetectionID = lastDetectionID
        self.policyHash = policyHash
        self.analysisDocument = analysisDocument
        confirmationDocument = Data()
    }

    /// Decodes a record; `executingAt` and `confirmationDocument`, which version-1 snapshots and log entries lack,
    /// default to none and empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        uid = try c.decode(String.self, forKey: .uid)
        failedKey = try c.decode(InstanceKey.self, forKey: .failedKey)
        clusterName = try c.decode(String.self, forKey: .clusterName)
        clusterAlias = try c.decode(String.self, forKey: .clusterAlias)
        analysis = try c.decode(AnalysisCode.self, forKey: .analysis)
        kind = try c.decode(Kind.self, forKey: .kind)
        command = try c.decode(String.self, forKey: .command)
        processingNode = try c.decode(String.self, forKey: .processingNode)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        executingAt = try c.decodeIfPresent(Date.self, forKey: .executingAt)
        endedAt = try c.decodeIfPresent(Date.self, forKey: .endedAt)
        attempted = try c.decode(Bool.self, forKey: .attempted)
        isSuccessful = try c.decode(Bool.self, forKey: .isSuccessful)
        successor = try c.decodeIfPresent(InstanceKey.self, forKey: .successor)
        successorAlias = try c.decode(String.self, forKey: .successorAlias)
        lostReplicas = try c.decode([InstanceKey].self, forKey: .lostReplicas)
        participatingInstances = try c.decode([InstanceKey].self, forKey: .participatingInstances)
        errors = try c.decode([String].self, forKey: .errors)
        acknowledged = try c.decode(Bool.self, forKey: .acknowledged)
        acknowledgedAt = try c.decodeIfPresent(Date.self, forKey: .acknowledgedAt)
        acknowledgedBy = try c.decode(String.self, forKey: .acknowledgedBy)
        acknowledgedComment = try c.decode(String.self, forKey: .acknowledgedComment)
        lastDetectionID = try c.decode(Int64.self, forKey: .lastDetectionID)
        policyHash = try c.decode(String.self, forKey: .policyHash)
        analysisDocument = try c.decode(Data.self, forKey: .analysisDocument)
        confirmationDocument = try c.decodeIfPresent(Data.self, forKey: .confirmationDocument) ?? Data()
    }

    public var isRunning: Bool { endedAt == nil }

    /// What the anti-flapping gate needs to know. Recoveries that were not attempted never block.
    public var pastRecovery: RecoveryGate.PastRecovery? {
        guard attempted || endedAt == nil else { return nil }
        return RecoveryGate.PastRecovery(
            id: id, cluster: clusterName, startedAt: startedAt, endedAt: endedAt, acknowledged: acknowledged,
            successor: successor)
    }
}
