import Synchronization

/// A counter that tasks wait on to change: `signal()` counts a change and wakes every waiter; `wait(after:)`
/// returns once the count differs from the one the caller last saw — at once if it already does, so a change
/// between a look and a wait is never lost.
///
/// This is how the engine's services wake on work instead of polling for it.
public final class ChangeSignal: Sendable {
    struct State {
        var generation: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// The number of changes so far; pass it to `wait(after:)`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Counts a change and wakes every waiter.
    public func signal() {
        let woken = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns when the generation differs from `seen`, or when the task is cancelled.
    public func wait(after seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard state.generation == seen, !Task.isCancelled else { return false }
                    state.waiters[id] = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Returns when the generation differs from `seen`, when `timeout` has passed on `clock` (never, when it is
    /// `nil`), or when the task is cancelled.
    /// - Returns: whether the generation changed.
    @discardableResult
    public func wait(after seen: UInt64, timeout: Duration?, on clock: ServiceClock) async -> Bool {
        guard let timeout else {
            await wait(after: seen)
            return generation != seen
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wait(after: seen)
                return self.generation != seen
            }
            group.addTask {
                try? await clock.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
