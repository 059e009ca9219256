import Synchronization

/// What a ``RaftNode``'s loop handles, in arrival order.
enum RaftNodeEvent: Sendable {
    case tick
    case message(RaftMessage)
    case request(RaftNodeRequest)
}

/// A caller waiting for the loop: a proposal, a membership change or a leadership transfer.
struct RaftNodeRequest: Sendable {
    enum Kind: Sendable {
        case propose([UInt8])
        case membership(RaftMembershipChange)
        case transfer(RaftNodeID)
    }

    let kind: Kind
    let timeout: Duration
    let reply: RaftNodeReply
}

/// A one-shot answer to a request: the first result wins, later ones are ignored. A result may arrive before the
/// caller waits (the caller's task was cancelled first, or the node had stopped).
final class RaftNodeReply: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<[UInt8], RaftNodeError>, Never>?
        var result: Result<[UInt8], RaftNodeError>?
        var resolved = false
    }

    private let state = Mutex(State())

    /// Whether a result has been given already (the loop then forgets the request).
    var isResolved: Bool { state.withLock { $0.resolved } }

    func resolve(_ result: Result<[UInt8], RaftNodeError>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<[UInt8], RaftNodeError>, Never>? in
            guard !state.resolved else { return nil }
            state.resolved = true
            if let continuation = state.continuation {
                state.continuation = nil
                return continuation
            }
            state.result = result
            return nil
        }
        continuation?.resume(returning: result)
    }

    func wait() async -> Result<[UInt8], RaftNodeError> {
        await withCheckedContinuation { continuation in
            let early = state.withLock { state -> Result<[UInt8], RaftNodeError>? in
                if let result = state.result {
                    state.result = nil
                    return result
                }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
    }
}

/// The queue between everything that feeds a node (the tick timer, the transport, API callers) and its loop, which
/// takes all queued events at once so that one storage write covers them all.
final class RaftNodeInbox: Sendable {
    private struct State {
        var events: [RaftNodeEvent] = []
        var queuedMessages = 0
        var waiter: CheckedContinuation<[RaftNodeEvent]?, Never>?
        var closed = false
        /// Callers of `waitUntilIdle()`, resumed when the loop next waits with nothing queued (or the inbox closes).
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let maxQueuedMessages: Int

    init(maxQueuedMessages: Int) {
        self.maxQueuedMessages = maxQueuedMessages
    }

    /// Queues an event. Returns false when the inbox is closed, or for a message when too many are queued.
    @discardableResult
    func push(_ event: RaftNodeEvent) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<[RaftNodeEvent]?, Never>?) in
            guard !state.closed else { return (false, nil) }
            if case .message = event {
                guard state.queuedMessages < maxQueuedMessages else { return (false, nil) }
                state.queuedMessages += 1
            }
            guard let waiter = state.waiter else {
                state.events.append(event)
                return (true, nil)
            }
            state.waiter = nil
            state.queuedMessages = 0
            return (true, waiter)
        }
        waiter?.resume(returning: [event])
        return accepted
    }

    /// Every queued event, waiting for one if there is none; nil once the inbox is closed and drained, or when the
    /// calling task is cancelled.
    func next() async -> [RaftNodeEvent]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[RaftNodeEvent]?, Never>) in
                let ready = state.withLock { state -> [RaftNodeEvent]?? in
                    if !state.events.isEmpty {
                        defer {
                            state.events = []
                            state.queuedMessages = 0
                        }
                        return .some(state.events)
                    }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                } else {
                    for idle in state.withLock({ state in defer { state.idleWaiters = [] }; return state.idleWaiters }) {
                        idle.resume()
                    }
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Whether the loop waits for an event and none is queued: with an in-memory transport and a test clock, a group
    /// whose nodes are all idle has nothing left to do until time moves.
    var isIdle: Bool { state.withLock { $0.waiter != nil && $0.events.isEmpty } }

    /// Returns once the loop waits with nothing queued (at once if it does now), or once the inbox is closed.
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.closed || (state.waiter != nil && state.events.isEmpty) { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Refuses further events; the loop gets what is queued, then nil.
    func close() {
        let (waiter, idle) = state.withLock { state in
            state.closed = true
            defer {
                state.waiter = nil
                state.idleWaiters = []
            }
            return (state.waiter, state.idleWaiters)
        }
        waiter?.resume(returning: nil)
        for continuation in idle { continuation.resume() }
    }

    /// Closes the inbox and returns the events nobody will handle now.
    func takeRemaining() -> [RaftNodeEvent] {
        close()
        return state.withLock { state in
            defer { state.events = [] }
            return state.events
        }
    }
}
