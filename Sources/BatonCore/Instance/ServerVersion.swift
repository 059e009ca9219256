/// Which server family an instance runs; decides statement names and GTID flavour.
public enum ServerFlavor: String, Sendable, Codable, CaseIterable {
    case mariadb = "MariaDB"
    case mysql = "MySQL"
    case percona = "Percona"
}

/// A parsed `@@version` (and `@@version_comment`), e.g. `10.11.6-MariaDB-0+deb12u1-log` or `8.4.2`.
public struct ServerVersion: Hashable, Sendable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var flavor: ServerFlavor
    /// The version string exactly as the server reported it.
    public var raw: String

    public init(major: Int, minor: Int, patch: Int, flavor: ServerFlavor, raw: String) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.flavor = flavor
        self.raw = raw
    }

    /// Parses a version string; `comment` (`@@version_comment`) helps tell Percona Server from MySQL.
    /// - Returns: `nil` when the string does not start with `major.minor`.
    public init?(parsing raw: String, comment: String = "") {
        let numbers = raw.prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        let lower = (raw + " " + comment).lowercased()
        let flavor: ServerFlavor =
            lower.contains("mariadb") ? .mariadb : (lower.contains("percona") ? .percona : .mysql)
        self.init(
            major: numbers[0], minor: numbers[1], patch: numbers.count > 2 ? numbers[2] : 0,
            flavor: flavor, raw: raw)
    }

    public var description: String { raw }

    /// `major.minor`, the unit in which replication compatibility is judged.
    public var majorVersion: String { "\(major).\(minor)" }

    public var isMariaDB: Bool { flavor == .mariadb }

    /// Whether `SHOW REPLICA STATUS` must be used: MySQL 8.0.22 introduced it and 8.4 removed `SHOW SLAVE STATUS`.
    /// MariaDB keeps `SHOW SLAVE STATUS` in every version.
    public var usesReplicaStatements: Bool {
        !isMariaDB && (major, minor, patch) >= (8, 0, 22)
    }

    /// Whether `SHOW REPLICAS` replaces `SHOW SLAVE HOSTS` (MySQL 8.0.22 and later).
    public var usesShowReplicas: Bool { usesReplicaStatements }
}
