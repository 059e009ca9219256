import BatonCore
import BatonHooks
import Foundation

/// Everything the configuration file says, split into one plain `Sendable` struct per subsystem.
///
/// The file is orchestrator's JSON format: keys orchestrator has keep their names, meanings and defaults.
public struct BatonConfiguration: Sendable {
    public var http: HTTPSettings
    /// orchestrator's `CandidateInstanceExpireMinutes`: how long `register-candidate` lasts.
    public var candidateInstanceExpireMinutes: Int
    public var topology: TopologyAccess
    public var discovery: DiscoverySettings
    public var store: StoreSettings
    public var detection: DetectionSettings
    public var recovery: RecoverySettings
    public var raft: RaftSettings
    /// orchestrator's `Debug`: log at debug level.
    public var debug: Bool
    /// Things worth telling the operator once at start-up (unknown keys, values Baton treats differently).
    public var warnings: [String]

    public struct HTTPSettings: Sendable, Equatable {
        public var listenAddress: ListenAddress
        /// `AuthenticationMethod`: "" (none) or "basic".
        public var authenticationMethod: String
        public var authUser: String
        public var authPassword: Secret
        /// `ReadOnly`: refuse every mutating route.
        public var readOnly: Bool
        /// `HTTPIdleTimeoutSeconds`: a connection that sends nothing for this long while idle or while a request is
        /// being received is closed (slow or stalled clients cannot hold connections forever). A request that has
        /// been received is never cut, however long its answer takes.
        public var idleTimeoutSeconds: Int = 60
    }

    /// How to reach the database servers Baton watches.
    public struct TopologyAccess: Sendable, Equatable {
        public var user: String
        public var password: Secret
        public var connectTimeoutSeconds: Int
        /// Read timeout of probe queries (orchestrator's `MySQLDiscoveryReadTimeoutSeconds`).
        public var discoveryReadTimeoutSeconds: Int
        /// Read timeout of statements that change servers (orchestrator's `MySQLTopologyReadTimeoutSeconds`).
        public var readTimeoutSeconds: Int
        public var tlsMode: TLSMode
        public var tlsCAFile: String
        public var tlsCertFile: String
        public var tlsKeyFile: String
        public var tlsSkipVerify: Bool

        public enum TLSMode: String, Sendable, Equatable {
            case disabled, preferred, required
        }
    }

    public struct DiscoverySettings: Sendable, Equatable {
        public var instancePollSeconds: Int
        public var reasonableInstanceCheckSeconds: Int
        public var defaultInstancePort: Int
        public var discoverByShowSlaveHosts: Bool
        public var maxConcurrency: Int
        public var hostnameResolveMethod: String
        /// `@@hostname`, `@@report_host` or `none`.
        public var mysqlHostnameResolveMethod: String
        public var dataCenterPattern: String
        public var regionPattern: String
        public var physicalEnvironmentPattern: String
        public var seeds: [String]
    }

    /// Failure analysis thresholds (orchestrator's names and defaults).
    public struct DetectionSettings: Sendable, Equatable {
        public var reasonableReplicationLagSeconds: Int
        public var reasonableLockedSemiSyncMasterSeconds: Int
        public var failureDetectionPeriodBlockMinutes: Int
        public var recoverNonWriteableMaster: Bool
        public var enforceExactSemiSyncReplicas: Bool
    }

    public struct StoreSettings: Sendable, Equatable {
        public var sqliteDataFile: String
    }
}

extension BatonConfiguration {
    /// Reads and validates the configuration file at `path`.
    /// - Parameter environment: where `${VAR}` references in passwords are looked up.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> BatonConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: nil, "cannot read \(path)")
        }
        return try parse(data, environment: environment)
    }

    /// Validates a configuration document.
    public static func parse(
        _ data: Data, environment: [String: String] = [:]
    ) throws(ConfigurationError) -> BatonConfiguration {
        var reader = try ConfigurationReader(json: data)
        var warnings: [String] = []

        let listenText = try reader.string("ListenAddress", default: ":3000")
        guard let listen = ListenAddress(parsing: listenText) else {
            throw ConfigurationError(key: "ListenAddress", "\"\(listenText)\" is not host:port (e.g. \":3000\")")
        }

        let backend = try reader.string("BackendDB", default: "sqlite")
        guard ["sqlite", "sqlite3"].contains(backend.lowercased()) else {
            throw ConfigurationError(
                key: "BackendDB",
                "\"\(backend)\" is not supported: Baton keeps its state in an embedded SQLite file per node; "
                    + "set \"sqlite\" and SQLite3DataFile")
        }
        let dataFile = try reader.string("SQLite3DataFile", default: "/var/lib/baton/baton.sqlite3")
        guard !dataFile.isEmpty else {
            throw ConfigurationError(key: "SQLite3DataFile", "must name the SQLite database file")
        }

        let authenticationMethod = try reader.oneOf(
            "AuthenticationMethod", default: "", allowed: ["", "basic", "multi", "proxy", "token", "oauth"])
        if ["multi", "proxy", "token", "oauth"].contains(authenticationMethod) {
            throw ConfigurationError(
                key: "AuthenticationMethod", "\"\(authenticationMethod)\" is not supported by Baton yet; use \"basic\" or \"\"")
        }
        let authUser = try reader.string("HTTPAuthUser", default: "")
        let authPassword = try expandEnvironment(
            try reader.string("HTTPAuthPassword", default: ""), key: "HTTPAuthPassword", environment: environment)
        if authenticationMethod == "basic" && (authUser.isEmpty || authPassword.isEmpty) {
            throw ConfigurationError(key: "AuthenticationMethod", "\"basic\" needs HTTPAuthUser and HTTPAuthPassword")
        }
        let http = HTTPSettings(
            listenAddress: listen, authenticationMethod: authenticationMethod, authUser: authUser,
            authPassword: Secret(authPassword), readOnly: try reader.bool("ReadOnly", default: false),
            idleTimeoutSeconds: try reader.int("HTTPIdleTimeoutSeconds", default: 60, range: 1...86_400))
        let candidateMinutes = try reader.int("CandidateInstanceExpireMinutes", default: 60, range: 1...525_600)
        let topology = try readTopologyAccess(&reader, environment: environment)
        let discovery = try readDiscovery(&reader, warnings: &warnings)
        let detection = DetectionSettings(
            reasonableReplicationLagSeconds: try reader.int(
                "ReasonableReplicationLagSeconds", default: 10, range: 0...86400),
            reasonableLockedSemiSyncMasterSeconds: try reader.int(
                "ReasonableLockedSemiSyncMasterSeconds", default: 0, range: 0...86400),
            failureDetectionPeriodBlockMinutes: try reader.int(
                "FailureDetectionPeriodBlockMinutes", default: 60, range: 0...525_600),
            recoverNonWriteableMaster: try reader.bool("RecoverNonWriteableMaster", default: false),
            enforceExactSemiSyncReplicas: try reader.bool("EnforceExactSemiSyncReplicas", default: false))
        let recovery = try readRecovery(&reader, json: data, environment: environment, warnings: &warnings)
        let raft = try readRaft(&reader, listen: listen, environment: environment)
        let debug = try reader.bool("Debug", default: false)

        for key in reader.unknownKeys {
            warnings.append("unknown configuration key \(key) is ignored")
        }
        return BatonConfiguration(
            http: http, candidateInstanceExpireMinutes: candidateMinutes, topology: topology, discovery: discovery,
            store: StoreSettings(sqliteDataFile: dataFile), detection: detection, recovery: recovery, raft: raft, debug: debug,
            warnings: warnings)
    }

    static func readTopologyAccess(
        _ reader: inout ConfigurationReader, environment: [String: String]
    ) throws(ConfigurationError) -> TopologyAccess {
        var user = try reader.string("MySQLTopologyUser", default: "")
        var password = try expandEnvironment(
            try reader.string("MySQLTopologyPassword", default: ""), key: "MySQLTopologyPassword",
            environment: environment)
        let credentialsFile = try reader.string("MySQLTopologyCredentialsConfigFile", default: "")
        if !credentialsFile.isEmpty {
            let credentials = try MyCnfCredentials.read(path: credentialsFile, key: "MySQLTopologyCredentialsConfigFile")
            if let fileUser = credentials.user { user = fileUser }
            if let filePassword = credentials.password { password = filePassword }
        }
        let mutualTLS = try reader.bool("MySQLTopologyUseMutualTLS", default: false)
        let tlsModeText = try reader.oneOf(
            "MySQLTopologyTLSMode", default: mutualTLS ? "required" : "disabled",
            allowed: ["disabled", "preferred", "required"])
        let access = TopologyAccess(
            user: user, password: Secret(password),
            connectTimeoutSeconds: try reader.int("MySQLConnectTimeoutSeconds", default: 2, range: 1...3600),
            discoveryReadTimeoutSeconds: try reader.int(
                "MySQLDiscoveryReadTimeoutSeconds", default: 10, range: 1...3600),
            readTimeoutSeconds: try reader.int("MySQLTopologyReadTimeoutSeconds", default: 600, range: 1...86400),
            tlsMode: TopologyAccess.TLSMode(rawValue: tlsModeText) ?? .disabled,
            tlsCAFile: try reader.string("MySQLTopologySSLCAFile", default: ""),
            tlsCertFile: try reader.string("MySQLTopologySSLCertFile", default: ""),
            tlsKeyFile: try reader.string("MySQLTopologySSLPrivateKeyFile", default: ""),
            tlsSkipVerify: try reader.bool("MySQLTopologySSLSkipVerify", default: false))
        _ = try reader.bool("MySQLTopologyUseMixedTLS", default: true)
        if access.tlsCertFile.isEmpty != access.tlsKeyFile.isEmpty {
            throw ConfigurationError(
                key: access.tlsCertFile.isEmpty ? "MySQLTopologySSLCertFile" : "MySQLTopologySSLPrivateKeyFile",
                "a client certificate needs both MySQLTopologySSLCertFile and MySQLTopologySSLPrivateKeyFile")
        }
        return access
    }

    static func readDiscovery(
        _ reader: inout ConfigurationReader, warnings: inout [String]
    ) throws(ConfigurationError) -> DiscoverySettings {
        let hostnameMethod = try reader.oneOf(
            "HostnameResolveMethod", default: "default", allowed: ["default", "none", "cname", "ip"])
        if hostnameMethod == "cname" || hostnameMethod == "ip" {
            warnings.append(
                "HostnameResolveMethod \"\(hostnameMethod)\" does no DNS lookups in Baton yet; "
                    + "host names are used as discovered (as with \"default\")")
        }
        var mysqlMethod = try reader.oneOf(
            "MySQLHostnameResolveMethod", default: "@@hostname",
            allowed: ["@@hostname", "@@report_host", "none", "", "default", "hostname", "report_host"])
        switch mysqlMethod {
        case "default", "hostname": mysqlMethod = "@@hostname"
        case "report_host": mysqlMethod = "@@report_host"
        case "": mysqlMethod = "none"
        default: break
        }
        if hostnameMethod == "none" { mysqlMethod = "none" }

        var patterns: [String: String] = [:]
        for key in ["DataCenterPattern", "RegionPattern", "PhysicalEnvironmentPattern"] {
            let pattern = try reader.string(key, default: "")
            if !pattern.isEmpty {
                do {
                    let regex = try NSRegularExpression(pattern: pattern)
                    guard regex.numberOfCaptureGroups >= 1 else {
                        throw ConfigurationError(key: key, "the pattern needs one capture group, e.g. \"db-([a-z]+)\"")
                    }
                } catch let error as ConfigurationError {
                    throw error
                } catch {
                    throw ConfigurationError(key: key, "\"\(pattern)\" is not a valid regular expression")
                }
            }
            patterns[key] = pattern
        }
        return DiscoverySettings(
            instancePollSeconds: try reader.int("InstancePollSeconds", default: 5, range: 1...3600),
            reasonableInstanceCheckSeconds: try reader.int(
                "ReasonableInstanceCheckSeconds", default: 1, range: 0...3600),
            defaultInstancePort: try reader.int("DefaultInstancePort", default: 3306, range: 1...65535),
            discoverByShowSlaveHosts: try reader.bool("DiscoverByShowSlaveHosts", default: false),
            maxConcurrency: try reader.int("DiscoveryMaxConcurrency", default: 300, range: 1...100_000),
            hostnameResolveMethod: hostnameMethod, mysqlHostnameResolveMethod: mysqlMethod,
            dataCenterPattern: patterns["DataCenterPattern"] ?? "", regionPattern: patterns["RegionPattern"] ?? "",
            physicalEnvironmentPattern: patterns["PhysicalEnvironmentPattern"] ?? "",
            seeds: try reader.strings("DiscoverySeeds"))
    }

    /// `${NAME}` as a whole value is replaced by the environment variable NAME (orchestrator's convention).
    static func expandEnvironment(
        _ value: String, key: String, environment: [String: String]
    ) throws(ConfigurationError) -> String {
        guard value.hasPrefix("${"), value.hasSuffix("}"), value.count > 3 else { return value }
        let name = String(value.dropFirst(2).dropLast())
        guard let resolved = environment[name] else {
            throw ConfigurationError(key: key, "refers to environment variable \(name), which is not set")
        }
        return resolved
    }
}
