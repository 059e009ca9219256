import BatonCore

/// A path under `/api`, built from segments that are percent-encoded one by one, so that data such as host names
/// can never add a segment, a query or a fragment to the request.
public struct APIPath: Hashable, Sendable, CustomStringConvertible {
    /// The unencoded segments, e.g. `["instance", "db1", "3306"]`.
    public var segments: [String]
    /// Query parameters, in order, each name and value percent-encoded like a segment.
    public var query: [(name: String, value: String)]

    public init(_ segments: [String], query: [(name: String, value: String)] = []) {
        self.segments = segments
        self.query = query
    }

    /// The encoded path with a leading slash, e.g. `/instance/db1/3306`, then the query if there is one.
    public var encoded: String {
        segments.map { "/" + Self.encode(segment: $0) }.joined()
            + (query.isEmpty ? "" : "?" + query.map { Self.encode(segment: $0.name) + "=" + Self.encode(segment: $0.value) }.joined(separator: "&"))
    }

    public static func == (lhs: APIPath, rhs: APIPath) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    public var description: String { encoded }

    /// Percent-encodes everything but RFC 3986's unreserved characters; `.` and `..` are encoded too so that they
    /// are not read as "this directory" and "the parent directory".
    public static func encode(segment: String) -> String {
        if segment == "." { return "%2E" }
        if segment == ".." { return "%2E%2E" }
        var encoded = ""
        for byte in segment.utf8 {
            if isUnreserved(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + hexDigit(byte >> 4) + hexDigit(byte & 0x0F)
            }
        }
        return encoded
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> String {
        String(UnicodeScalar(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10))
    }
}

extension APIPath {
    /// `leader-check`: HTTP 200 on the leader, 404 elsewhere.
    public static let leaderCheck = APIPath(["leader-check"])
    /// `clusters`: the cluster names.
    public static let clusters = APIPath(["clusters"])
    /// `clusters-info`: one ``ClusterInfo`` per cluster.
    public static let clustersInfo = APIPath(["clusters-info"])

    /// `discover/:host/:port`.
    public static func discover(_ key: InstanceKey) -> APIPath { APIPath(["discover"] + key.pathSegments) }
    /// `forget/:host/:port`.
    public static func forget(_ key: InstanceKey) -> APIPath { APIPath(["forget"] + key.pathSegments) }
    /// `instance/:host/:port`.
    public static func instance(_ key: InstanceKey) -> APIPath { APIPath(["instance"] + key.pathSegments) }
    /// `topology/:clusterHint`.
    public static func topology(_ hint: ClusterHint) -> APIPath { APIPath(["topology"] + hint.pathSegments) }
    /// `master/:clusterHint`.
    public static func master(_ hint: ClusterHint) -> APIPath { APIPath(["master"] + hint.pathSegments) }
}

extension InstanceKey {
    /// `[host, port]`, as API paths carry a key.
    var pathSegments: [String] { [hostname, String(port)] }
}

extension APIPath {
    /// `begin-downtime/:host/:port/:owner/:reason[/:duration]`.
    public static func beginDowntime(_ key: InstanceKey, owner: String, reason: String, duration: String?) -> APIPath {
        APIPath(["begin-downtime"] + key.pathSegments + [owner, reason] + (duration.map { [$0] } ?? []))
    }
    /// `end-downtime/:host/:port`.
    public static func endDowntime(_ key: InstanceKey) -> APIPath { APIPath(["end-downtime"] + key.pathSegments) }
    /// `downtimed`.
    public static let downtimed = APIPath(["downtimed"])
    /// `register-candidate/:host/:port/:promotionRule`.
    public static func registerCandidate(_ key: InstanceKey, rule: String) -> APIPath {
        APIPath(["register-candidate"] + key.pathSegments + [rule])
    }
    /// `enable-global-recoveries`, `disable-global-recoveries`, `check-global-recoveries`.
    public static let enableGlobalRecoveries = APIPath(["enable-global-recoveries"])
    public static let disableGlobalRecoveries = APIPath(["disable-global-recoveries"])
    public static let checkGlobalRecoveries = APIPath(["check-global-recoveries"])
    /// `replication-analysis`.
    public static let replicationAnalysis = APIPath(["replication-analysis"])
}

extension APIPath {
    /// `recover/:host/:port[/:candidateHost/:candidatePort]`, or `recover-lite/…`.
    public static func recover(_ key: InstanceKey, candidate: InstanceKey?, lite: Bool) -> APIPath {
        APIPath([lite ? "recover-lite" : "recover"] + key.pathSegments + (candidate?.pathSegments ?? []))
    }
    /// `force-master-failover/:clusterHint` or `/:host/:port`.
    public static func forceMasterFailover(_ hint: ClusterHint) -> APIPath {
        APIPath(["force-master-failover"] + hint.pathSegments)
    }
    /// `graceful-master-takeover[-auto]/:clusterHint[/:designatedHost/:designatedPort]`.
    public static func gracefulMasterTakeover(_ hint: ClusterHint, designated: InstanceKey?, auto: Bool) -> APIPath {
        APIPath(
            [auto ? "graceful-master-takeover-auto" : "graceful-master-takeover"] + hint.pathSegments
                + (designated?.pathSegments ?? []))
    }
    /// `audit-recovery[/cluster/:name | /id/:id | /uid/:uid]`, `?unacknowledged=true`.
    public static func auditRecovery(_ scope: [String], unacknowledged: Bool) -> APIPath {
        APIPath(["audit-recovery"] + scope, query: unacknowledged ? [("unacknowledged", "true")] : [])
    }
    /// `audit-recovery-steps/:uid`.
    public static func auditRecoverySteps(_ uid: String) -> APIPath { APIPath(["audit-recovery-steps", uid]) }
    /// `active-cluster-recovery/:clusterName`.
    public static func activeClusterRecovery(_ cluster: String) -> APIPath { APIPath(["active-cluster-recovery", cluster]) }
    /// `blocked-recoveries[/cluster/:clusterName]`.
    public static func blockedRecoveries(_ cluster: String?) -> APIPath {
        APIPath(["blocked-recoveries"] + (cluster.map { ["cluster", $0] } ?? []))
    }
    /// `ack-recovery/…?comment=` or `ack-all-recoveries?comment=`.
    public static func acknowledge(_ scope: [String], comment: String) -> APIPath {
        APIPath(scope.isEmpty ? ["ack-all-recoveries"] : ["ack-recovery"] + scope, query: [("comment", comment)])
    }
    /// `what-if/:host/:port` (Baton).
    public static func whatIf(_ key: InstanceKey) -> APIPath { APIPath(["what-if"] + key.pathSegments) }
}
