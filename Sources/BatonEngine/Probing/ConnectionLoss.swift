import BatonCore

/// The server closed or reset an instance's idle probe connection (its process died, it shut down, or it killed
/// the session): a failed check, known before the next poll.
public struct ConnectionLoss: Sendable, Equatable {
    public var key: InstanceKey
    public var reason: String

    public init(key: InstanceKey, reason: String) {
        self.key = key
        self.reason = reason
    }
}
