import BatonCore
import BatonPolicy
import BatonStore

/// A recovery registered in the store, as its phases pass it on: what was asked, the plan family, the stored record
/// and its audit trail.
struct RecoveryInProgress: Sendable {
    var request: RecoveryRequest
    var kind: RecoveryPlan.Kind
    var record: RecoveryRecord
    let trail: RecoveryAuditTrail
    /// The Raft term it was registered in (1 without Raft): its steps run only while this node leads in that term.
    var term: UInt64 = 0

    /// The verdict being recovered.
    var row: ReplicationAnalysis { request.analysis }

    /// What the decide phase settled: the plan, and the facts it was decided on (the later phases reuse them).
    struct DecidedPlan: Sendable {
        var plan: RecoveryPlan
        /// The whole topology as last probed, promotion rules applied.
        var instances: [Instance]
        var downtimed: Set<InstanceKey>
        var policyContext: PolicyContext
    }
}
