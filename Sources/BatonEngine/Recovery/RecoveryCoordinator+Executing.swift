import BatonCore
import Foundation
import Logging

extension RecoveryCoordinator {
    /// Marks the recovery as executing (replicated) before the first step that may change a server: if this node
    /// is interrupted from now on, the next leader resolves it as attempted. False when the mark was refused — the
    /// recovery is no longer running (another leader resolved it as interrupted) — or could not be submitted: the
    /// recovery must then not touch a server.
    func markExecuting(_ recovery: RecoveryInProgress) async -> Bool {
        do {
            let result = try await log.submit(.markExecuting(uid: recovery.record.uid, at: now()))
            if result.count == 1 { return true }
            recovery.trail.record("not executed: \(result.error ?? "the executing mark was refused")")
        } catch {
            recovery.trail.record("not executed: cannot mark the recovery as executing: \(error)")
        }
        logger.warning("Recovery not executed", metadata: ["baton.recovery.uid": "\(recovery.record.uid)"])
        return false
    }
}
