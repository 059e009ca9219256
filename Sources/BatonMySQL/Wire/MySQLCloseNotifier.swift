import Synchronization

/// Remembers whether a connection is closed and why, and runs close callbacks exactly once.
final class MySQLCloseNotifier: Sendable {
    private struct State {
        var closeRequested = false
        /// Set once the channel is gone; the inner value is the reason (nil: closed by the client).
        var closed: MySQLError?? = nil
        var callbacks: [@Sendable (MySQLError?) -> Void] = []
    }

    private let state = Mutex(State())

    /// True once the client asked to close or the channel went away.
    var isClosed: Bool {
        self.state.withLock { $0.closeRequested || $0.closed != nil }
    }

    func markCloseRequested() {
        self.state.withLock { $0.closeRequested = true }
    }

    /// Runs `callback` when the connection closes, or right away if it already has.
    func register(_ callback: @escaping @Sendable (MySQLError?) -> Void) {
        let reason: MySQLError?? = self.state.withLock { state in
            if let closed = state.closed {
                return .some(closed)
            }
            state.callbacks.append(callback)
            return nil
        }
        if let reason {
            callback(reason)
        }
    }

    /// Records the close and runs the callbacks; later calls do nothing.
    func notifyClosed(reason: MySQLError?) {
        let callbacks: [@Sendable (MySQLError?) -> Void] = self.state.withLock { state in
            guard state.closed == nil else {
                return []
            }
            state.closed = .some(reason)
            defer { state.callbacks = [] }
            return state.callbacks
        }
        for callback in callbacks {
            callback(reason)
        }
    }
}
