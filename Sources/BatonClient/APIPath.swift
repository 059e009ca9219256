import BatonCore

/// A path under `/api`, built from segments that are percent-encoded one by one, so that data such as host names
/// can never add a segment, a query or a fragment to the request.
public struct APIPath: Hashable, Sendable, CustomStringConvertible {
    /// The unencoded segments, e.g. `["instance", "db1", "3306"]`.
    public var segments: [String]

    public init(_ segments: [String]) {
        self.segments = segments
    }

    /// The encoded path with a leading slash, e.g. `/instance/db1/3306`.
    public var encoded: String {
        segments.map { "/" + Self.encode(segment: $0) }.joined()
    }

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
