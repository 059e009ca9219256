import BatonCore
import BatonStore
import Foundation
import Logging

/// Writes one recovery's audit steps, in order: to the log at once, and to the replicated store (through the command
/// log, so every Raft node holds the same trail) by a writer task. `record` never blocks the recovery; `finish()`
/// waits until every step is stored. A step that cannot be stored is still logged; the recovery goes on.
final class RecoveryAuditTrail: Sendable {
    let uid: String
    let logger: Logger
    let now: @Sendable () -> Date
    private let continuation: AsyncStream<RecoveryStepRecord>.Continuation
    private let writer: Task<Void, Never>

    init(uid: String, log: any CommandLog, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.uid = uid
        self.logger = logger
        self.now = now
        let (steps, continuation) = AsyncStream.makeStream(of: RecoveryStepRecord.self)
        self.continuation = continuation
        writer = Task {
            for await step in steps {
                do {
                    _ = try await log.submit(.recoveryStep(step))
                } catch {
                    logger.error(
                        "Cannot record a recovery step",
                        metadata: ["baton.recovery.uid": "\(step.recoveryUID)", "baton.error": "\(error)"])
                }
            }
        }
    }

    func record(_ message: String) {
        logger.info("Recovery step", metadata: ["baton.recovery.uid": "\(uid)", "baton.recovery.step": "\(message)"])
        continuation.yield(RecoveryStepRecord(recoveryUID: uid, at: now(), message: message))
    }

    func record(_ messages: [String]) {
        for message in messages { record(message) }
    }

    /// Waits until every recorded step is stored.
    func finish() async {
        continuation.finish()
        await writer.value
    }
}
