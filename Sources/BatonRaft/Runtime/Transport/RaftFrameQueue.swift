import NIOCore
import Synchronization

/// The bounded queue of frames waiting for one peer's connection. A frame that does not fit is dropped: Raft
/// tolerates lost messages and resends what matters, while an unbounded queue to a slow or dead peer would grow
/// without limit.
final class RaftFrameQueue: Sendable {
    private struct State {
        var frames: [ByteBuffer] = []
        var waiter: CheckedContinuation<[ByteBuffer]?, Never>?
        var dropped = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues a frame; false when the queue is full (the frame is dropped).
    @discardableResult
    func push(_ frame: ByteBuffer) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<[ByteBuffer]?, Never>?) in
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            guard state.frames.count < capacity else {
                state.dropped += 1
                return (false, nil)
            }
            state.frames.append(frame)
            return (true, nil)
        }
        waiter?.resume(returning: [frame])
        return accepted
    }

    /// Every queued frame, waiting for one if there is none; nil when the calling task is cancelled.
    func next() async -> [ByteBuffer]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[ByteBuffer]?, Never>) in
                let ready = state.withLock { state -> [ByteBuffer]?? in
                    if !state.frames.isEmpty {
                        defer { state.frames = [] }
                        return .some(state.frames)
                    }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Drops everything queued (the peer is unreachable: by the time it is back, these are stale).
    func removeAll() {
        state.withLock { state in
            state.dropped += state.frames.count
            state.frames = []
        }
    }

    /// Frames dropped so far.
    var dropped: Int { state.withLock { $0.dropped } }
}
