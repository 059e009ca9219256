import BatonCore

/// The servers a ``SimulatedFleet`` serves: clusters of one primary, its replicas and intermediate primaries.
///
/// Decoded from JSON such as
/// ```json
/// {"clusters": [{"name": "shop", "flavor": "mariadb", "version": "10.11.9-MariaDB-log",
///   "instances": [{"name": "shop-p", "host": "127.10.0.1", "port": 3306},
///                 {"name": "shop-r1", "host": "127.10.0.2", "port": 3306, "source": "shop-p"},
///                 {"name": "shop-r2", "host": "127.10.0.3", "port": 3306, "source": "shop-r1", "lagSeconds": 2}]}]}
/// ```
/// An instance without `source` is a primary; `source` names another instance (of any cluster). Port 0 (or none)
/// picks a free port at start; the fleet reports the key it got.
public struct FleetTopology: Sendable, Codable, Equatable {
    public var clusters: [Cluster]

    public init(clusters: [Cluster]) {
        self.clusters = clusters
    }

    public struct Cluster: Sendable, Codable, Equatable {
        public var name: String
        public var flavor: SimulatedFlavor
        /// `@@version` of every instance without its own; the flavour's default when nil.
        public var version: String?
        /// MariaDB `gtid_domain_id` of the cluster's writes (default 0).
        public var gtidDomain: Int?
        public var instances: [Instance]

        public init(
            name: String, flavor: SimulatedFlavor, version: String? = nil, gtidDomain: Int? = nil,
            instances: [Instance]
        ) {
            self.name = name
            self.flavor = flavor
            self.version = version
            self.gtidDomain = gtidDomain
            self.instances = instances
        }
    }

    public struct Instance: Sendable, Codable, Equatable {
        /// Unique in the fleet.
        public var name: String
        /// `@@hostname`; by default the address, so that Baton's default `MySQLHostnameResolveMethod`
        /// (`@@hostname`) keeps naming the server by an address that reaches it.
        public var hostname: String?
        /// An IPv4 address to listen on (any of 127.0.0.0/8 on Linux); default 127.0.0.1.
        public var host: String?
        /// The port to listen on; 0 or nil picks a free one.
        public var port: Int?
        /// The name of the instance this one replicates from; nil for a primary.
        public var source: String?
        /// `server_id`; by default a number unique in the fleet.
        public var serverID: UInt32?
        /// Overrides the cluster's version.
        public var version: String?
        public var versionComment: String?
        /// `read_only`; by default OFF on primaries, ON on replicas.
        public var readOnly: Bool?
        /// How long this replica takes to apply what it receives (Seconds_Behind_Master grows meanwhile).
        public var lagSeconds: Double?
        /// `log_slave_updates` / `log_replica_updates` (default ON).
        public var logReplicaUpdates: Bool?
        /// `@@binlog_format` (default ROW).
        public var binlogFormat: String?
        /// Transactions the cluster's primary has written before the fleet starts (replicas start caught up).
        public var initialTransactions: Int?

        public init(
            name: String, hostname: String? = nil, host: String? = nil, port: Int? = nil, source: String? = nil,
            serverID: UInt32? = nil,
            version: String? = nil, versionComment: String? = nil, readOnly: Bool? = nil, lagSeconds: Double? = nil,
            logReplicaUpdates: Bool? = nil, binlogFormat: String? = nil, initialTransactions: Int? = nil
        ) {
            self.name = name
            self.hostname = hostname
            self.host = host
            self.port = port
            self.source = source
            self.serverID = serverID
            self.version = version
            self.versionComment = versionComment
            self.readOnly = readOnly
            self.lagSeconds = lagSeconds
            self.logReplicaUpdates = logReplicaUpdates
            self.binlogFormat = binlogFormat
            self.initialTransactions = initialTransactions
        }
    }

    /// Every instance in declaration order.
    public var allInstances: [Instance] { clusters.flatMap(\.instances) }
}

/// Where generated instances listen.
public enum FleetAddressing: Sendable, Equatable {
    /// All on one address, each on a free port picked at start (best for tests running in parallel).
    case freePorts(host: String)
    /// One loopback address each, counting up from `base` (127.10.0.1, 127.10.0.2, …), all on `port`: like a
    /// real fleet where every server is `host:3306`.
    case consecutiveAddresses(base: String, port: Int)
    /// One address, ports counting up from `basePort`.
    case consecutivePorts(host: String, basePort: Int)

    public static let tests = FleetAddressing.freePorts(host: "127.0.0.1")
}

extension FleetTopology {
    /// `clusters` clusters named `c0001`, `c0002`, … each with a primary `cNNNN-p` and `replicasPerCluster`
    /// replicas `cNNNN-r1`…; the first replica gets `intermediateReplicas` replicas of its own (`cNNNN-r1-1`…),
    /// which makes it an intermediate primary.
    /// - Throws: ``FleetError`` when an address cannot be generated.
    public static func generated(
        clusters: Int, replicasPerCluster: Int, intermediateReplicas: Int = 0, flavor: SimulatedFlavor,
        version: String? = nil, addressing: FleetAddressing = .tests, initialTransactions: Int = 10
    ) throws(FleetError) -> FleetTopology {
        var next = 0
        var lastAddress: UInt32?
        func address() throws(FleetError) -> (String, Int) {
            defer { next += 1 }
            switch addressing {
            case .freePorts(let host):
                return (host, 0)
            case .consecutiveAddresses(let base, let port):
                let value = try IPv4Address.next(after: lastAddress, base: base)
                lastAddress = value
                return (IPv4Address.format(value), port)
            case .consecutivePorts(let host, let basePort):
                guard basePort + next <= 65535 else {
                    throw FleetError(code: .invalidTopology, message: "port \(basePort + next) is out of range")
                }
                return (host, basePort + next)
            }
        }
        var result: [Cluster] = []
        for index in 1...max(1, clusters) where clusters > 0 {
            let name = "c" + String(repeating: "0", count: max(0, 4 - String(index).count)) + String(index)
            var instances: [Instance] = []
            let (host, port) = try address()
            instances.append(Instance(name: "\(name)-p", host: host, port: port, initialTransactions: initialTransactions))
            for replica in 1...max(1, replicasPerCluster) where replicasPerCluster > 0 {
                let (host, port) = try address()
                instances.append(Instance(name: "\(name)-r\(replica)", host: host, port: port, source: "\(name)-p"))
                if replica == 1 {
                    for leaf in 1...max(1, intermediateReplicas) where intermediateReplicas > 0 {
                        let (host, port) = try address()
                        instances.append(
                            Instance(name: "\(name)-r1-\(leaf)", host: host, port: port, source: "\(name)-r1"))
                    }
                }
            }
            result.append(Cluster(name: name, flavor: flavor, version: version, instances: instances))
        }
        return FleetTopology(clusters: result)
    }
}

/// Dotted-quad arithmetic for generated addresses.
enum IPv4Address {
    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// The first usable address at or after `base` when `previous` is nil, else the one after `previous`.
    /// Addresses ending in .0 and .255 are skipped; the result stays in `base`'s /8.
    static func next(after previous: UInt32?, base: String) throws(FleetError) -> UInt32 {
        guard let start = parse(base) else {
            throw FleetError(code: .invalidTopology, message: "\(base) is not an IPv4 address")
        }
        var value = previous.map { UInt64($0) + 1 } ?? UInt64(start)
        while value & 0xFF == 0 || value & 0xFF == 255 { value += 1 }
        guard value >> 24 == UInt64(start >> 24) else {
            throw FleetError(code: .invalidTopology, message: "too many addresses after \(base)")
        }
        return UInt32(value)
    }
}
