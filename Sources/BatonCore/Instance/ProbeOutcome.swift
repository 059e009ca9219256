/// The result of probing one instance.
///
/// The error is whatever the prober met (a connection error, a timeout, a server error): the domain keeps only
/// its description (`Instance.lastError`); the prober's shell may look at its type to decide whether to keep
/// the connection.
public enum ProbeOutcome: Sendable {
    /// Everything was read.
    case success(InstanceFacts)
    /// Identity was read but a later query failed: the instance answers, but Baton does not know its full state.
    case partial(InstanceFacts, any Error)
    /// Nothing could be read (no connection, authentication failed, the first query failed).
    case failure(any Error)

    public var facts: InstanceFacts? {
        switch self {
        case .success(let facts), .partial(let facts, _): facts
        case .failure: nil
        }
    }

    public var error: (any Error)? {
        switch self {
        case .success: nil
        case .partial(_, let error), .failure(let error): error
        }
    }
}
