import BatonCore
import BatonStore
import Foundation

/// The recovery history as the API reads it: recoveries, their audit steps and the recoveries the gate refused.
/// Read-only; recoveries are written through the command log.
public struct RecoveryAudit: Sendable {
    let database: BatonDatabase

    /// Recoveries in `scope`, newest first, `limit` a page.
    public func recoveries(
        _ scope: RecoveryScope = .all, unacknowledgedOnly: Bool = false, runningOnly: Bool = false, page: Int = 0,
        limit: Int = 20
    ) throws -> [RecoveryRecord] {
        try database.recoveries(
            scope, unacknowledgedOnly: unacknowledgedOnly, runningOnly: runningOnly, page: page, limit: limit)
    }

    /// The audit trail of one recovery, in order.
    public func steps(uid: String) throws -> [RecoveryStepRecord] {
        try database.recoverySteps(uid: uid)
    }

    /// Automatic recoveries refused since `since`, of one cluster or of all.
    public func blocked(cluster: String?, since: Date) throws -> [BlockedRecoveryRecord] {
        try database.blockedRecoveries(cluster: cluster, since: since)
    }
}
