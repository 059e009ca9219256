import BatonStore
import Foundation
import Logging

/// Writes one recovery's audit steps: to SQLite (`audit-recovery-steps/:uid`) and to the log, with the recovery's
/// uid as metadata. A step that cannot be stored is still logged; the recovery goes on.
struct RecoveryAuditTrail: Sendable {
    let uid: String
    let database: BatonDatabase
    let logger: Logger
    let now: @Sendable () -> Date

    func record(_ message: String) {
        logger.info("Recovery step", metadata: ["baton.recovery.uid": "\(uid)", "baton.recovery.step": "\(message)"])
        do {
            try database.appendRecoveryStep(RecoveryStepRecord(recoveryUID: uid, at: now(), message: message))
        } catch {
            logger.error(
                "Cannot record a recovery step",
                metadata: ["baton.recovery.uid": "\(uid)", "baton.error": "\(error)"])
        }
    }

    func record(_ messages: [String]) {
        for message in messages { record(message) }
    }
}
