import Foundation
import BatonEngine

/// Who may call the API (orchestrator's `AuthenticationMethod`, `HTTPAuthUser`, `HTTPAuthPassword`, `ReadOnly`).
public struct APIAuthentication: Sendable {
    public enum Method: String, Sendable {
        /// No authentication (orchestrator's default).
        case none
        /// HTTP basic authentication on every route except health checks and metrics.
        case basic
    }

    public var method: Method
    public var user: String
    public var password: Secret
    /// The whole service is read-only: every mutating route is refused.
    public var readOnly: Bool

    public init(method: Method = .none, user: String = "", password: Secret = Secret(""), readOnly: Bool = false) {
        self.method = method
        self.user = user
        self.password = password
        self.readOnly = readOnly
    }

    /// The `Authorization` header for these credentials (the nodes of a group without `RaftSharedSecret` send it to
    /// each other's `/api/baton-peer/` routes).
    var basicAuthorization: String {
        "Basic " + Data("\(user):\(password.value)".utf8).base64EncodedString()
    }

    /// Routes a load balancer or a scraper calls without credentials.
    static let openPaths: Set<String> = [
        "/api/lb-check", "/api/_ping", "/api/leader-check", "/api/routed-leader-check", "/api/health", "/api/status",
        "/api/raft-state", "/api/raft-leader", "/api/raft-health", "/metrics",
    ]

    /// The first path segment under `/api/` of every route that changes state.
    static let mutatingCommands: Set<String> = [
        "discover", "forget", "forget-cluster", "begin-downtime", "end-downtime", "register-candidate", "disable-global-recoveries",
        "enable-global-recoveries", "recover", "recover-lite", "force-master-failover", "graceful-master-takeover",
        "graceful-master-takeover-auto", "ack-recovery", "ack-all-recoveries", "raft-yield", "raft-yield-hint",
        "raft-add-peer", "raft-remove-peer",
    ]
}
