import BatonCore

/// Asks another Baton node for its view now (`POST /api/baton-peer/view` on its API): the HTTP layer implements it;
/// tests answer in memory.
public protocol PeerViewing: Sendable {
    /// The view of the node whose API is at `api`, within `timeout`.
    /// - Throws: when the node cannot be reached, refuses (authentication), or answers garbage.
    func view(_ request: PeerViewRequest, at api: String, timeout: Duration) async throws -> PeerView
}

/// A voter of the Raft group as a confirmation round sees it: its name (its Raft address, as recoveries record the
/// processing node) and the API it published, when it did.
public struct ConfirmationVoter: Sendable, Equatable {
    public var name: String
    public var api: String?
    /// Whether this node heard from it over Raft lately (within the leader's CheckQuorum period). A voter the leader
    /// is cut off from cannot answer either: it gets no vote at once instead of after the round's timeout.
    public var recentlyActive: Bool

    public init(name: String, api: String?, recentlyActive: Bool = true) {
        self.name = name
        self.api = api
        self.recentlyActive = recentlyActive
    }
}
