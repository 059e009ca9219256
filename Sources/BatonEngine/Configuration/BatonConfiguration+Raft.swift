import Foundation

extension BatonConfiguration {
    /// A Raft group of Baton nodes (orchestrator's keys, plus Baton's secret, preferred leader and node ids).
    public struct RaftSettings: Sendable, Equatable {
        public struct Node: Sendable, Equatable {
            /// A stable id: given as `ID@host:port` in `RaftNodes`, or derived from the address.
            public var id: UInt64
            public var address: String
        }

        public var enabled: Bool
        /// `RaftBind`: where this node listens for its peers.
        public var bindHost: String
        public var bindPort: Int
        /// `RaftAdvertise`: the address peers use for this node (default: `RaftBind`).
        public var advertise: String
        /// `RaftDataDir`: holds `raft.sqlite3` (the log, hard state and snapshot).
        public var dataDirectory: String
        /// `RaftNodes`: the founding members, this node included.
        public var nodes: [Node]
        /// This node's entry of `nodes`.
        public var selfID: UInt64
        /// `RaftSharedSecret` (Baton): authenticates every frame between nodes (HMAC-SHA256); may be `${ENV}`.
        public var sharedSecret: Secret
        /// `RaftPreferredLeader` (Baton): the node (address) that leadership is handed to when it is healthy.
        public var preferredLeader: String
        /// `HTTPAdvertise`: this node's API URL, published when it leads so followers forward mutating calls to it.
        public var httpAdvertise: String
        /// `RaftTickMilliseconds` (Baton): the election timeout is 10 ticks.
        public var tickMilliseconds: Int
        /// `RaftBootstrap` (Baton, default true): found the group from `RaftNodes` when the Raft log is empty. A node
        /// joining a running group (a new one, or one whose data directory was wiped, under a new id) sets it to
        /// false and waits until the leader adds it (`raft-add-peer/ID@host:port`).
        public var bootstrap: Bool
        /// `RaftSnapshotThreshold` (Baton): applied entries between two snapshots (the log before one is compacted,
        /// keeping `RaftSnapshotTrailingEntries` for slow followers).
        public var snapshotThreshold: Int
        public var snapshotTrailingEntries: Int
        /// `FailureConfirmationTimeoutMilliseconds` (Baton): how long the leader waits for each voter's view in a
        /// confirmation round; 0 (the default) means `MySQLConnectTimeoutSeconds` + 1 s, long enough for a voter to
        /// find a dead server unreachable.
        public var confirmationTimeoutMilliseconds: Int = 0
    }

    /// An id from an address when none is given: FNV-1a of the lower-cased `host:port` (stable as long as the
    /// address is; give explicit ids, `ID@host:port`, when addresses may change).
    public static func raftNodeID(for address: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in address.lowercased().utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash == 0 ? 1 : hash
    }

    /// Whether `host` means "every interface" (or none): fine to listen on, never to be reached at.
    static func isWildcard(_ host: String) -> Bool {
        ["", "0.0.0.0", "::", "[::]", "*"].contains(host)
    }

    /// Whether `host` can name a Raft peer: a host name or an IP address (IPv6 possibly bracketed, with a zone),
    /// so ASCII letters, digits and `-._:[]%` with at least one letter or digit. `raft-add-peer/%00` made a member
    /// of `"\0:10008"`, and `raft-add-peer/..%2F` one of `"../:10008"`.
    public static func isPlausibleHost(_ host: String) -> Bool {
        let punctuation = Set("-._:[]%".utf8)
        func isLetterOrDigit(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        return host.utf8.count <= 255 && host.utf8.contains(where: isLetterOrDigit)
            && host.utf8.allSatisfy { isLetterOrDigit($0) || punctuation.contains($0) }
    }

    /// Reads a `RaftNodes`-style entry, `host[:port]` or `ID@host[:port]`; nil when it is not one.
    public static func raftNode(_ text: String, defaultPort: Int = 10008) -> RaftSettings.Node? {
        var id: UInt64?
        var rest = Substring(text)
        if let at = text.firstIndex(of: "@") {
            guard let explicit = UInt64(text[..<at]), explicit > 0 else { return nil }
            id = explicit
            rest = text[text.index(after: at)...]
        }
        var host = String(rest)
        var port = defaultPort
        if let colon = rest.lastIndex(of: ":") {
            guard let parsed = Int(rest[rest.index(after: colon)...]), (1...65535).contains(parsed) else { return nil }
            host = String(rest[..<colon])
            port = parsed
        }
        guard isPlausibleHost(host) else { return nil }
        let address = "\(host):\(port)"
        return RaftSettings.Node(id: id ?? raftNodeID(for: address), address: address)
    }

    static func readRaft(
        _ reader: inout ConfigurationReader, listen: ListenAddress, environment: [String: String]
    ) throws(ConfigurationError) -> RaftSettings {
        let enabled = try reader.bool("RaftEnabled", default: false)
        let defaultPort = try reader.int("DefaultRaftPort", default: 10008, range: 1...65535)
        let bind = try reader.string("RaftBind", default: "127.0.0.1:\(defaultPort)")
        let advertiseText = try reader.string("RaftAdvertise", default: "")
        let dataDirectory = try reader.string("RaftDataDir", default: "")
        let nodeTexts = try reader.strings("RaftNodes")
        let secret = try expandEnvironment(
            try reader.string("RaftSharedSecret", default: ""), key: "RaftSharedSecret", environment: environment)
        let preferred = try reader.string("RaftPreferredLeader", default: "")
        let httpAdvertise = try reader.string("HTTPAdvertise", default: "")
        let tick = try reader.int("RaftTickMilliseconds", default: 100, range: 10...10_000)
        let bootstrap = try reader.bool("RaftBootstrap", default: true)
        let snapshotThreshold = try reader.int("RaftSnapshotThreshold", default: 8192, range: 1...10_000_000)
        let trailing = try reader.int("RaftSnapshotTrailingEntries", default: 1024, range: 0...10_000_000)
        let confirmationTimeout = try reader.int(
            "FailureConfirmationTimeoutMilliseconds", default: 0, range: 0...600_000)

        func address(_ text: String, key: String) throws(ConfigurationError) -> (host: String, port: Int) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]) {
                let host = String(trimmed[..<colon])
                guard isPlausibleHost(host), (1...65535).contains(port) else {
                    throw ConfigurationError(key: key, "\"\(text)\" is not host:port")
                }
                return (host, port)
            }
            guard isPlausibleHost(trimmed), !trimmed.contains(":") else {
                throw ConfigurationError(key: key, "\"\(text)\" is not host:port")
            }
            return (trimmed, defaultPort)
        }
        let (bindHost, bindPort) = try address(bind, key: "RaftBind")
        let advertise: String
        if advertiseText.isEmpty {
            advertise = "\(bindHost):\(bindPort)"
        } else {
            let (host, port) = try address(advertiseText, key: "RaftAdvertise")
            advertise = "\(host):\(port)"
        }
        var nodes: [RaftSettings.Node] = []
        for text in nodeTexts {
            var id: UInt64?
            var rest = Substring(text)
            if let at = text.firstIndex(of: "@") {
                guard let explicit = UInt64(text[..<at]), explicit > 0 else {
                    throw ConfigurationError(key: "RaftNodes", "\"\(text)\": the id before @ must be a positive number")
                }
                id = explicit
                rest = text[text.index(after: at)...]
            }
            let (host, port) = try address(String(rest), key: "RaftNodes")
            let normalized = "\(host):\(port)"
            nodes.append(RaftSettings.Node(id: id ?? raftNodeID(for: normalized), address: normalized))
        }
        var selfID: UInt64 = 0
        if enabled {
            guard !dataDirectory.isEmpty else {
                throw ConfigurationError(key: "RaftDataDir", "RaftEnabled needs RaftDataDir (where the Raft log is kept)")
            }
            if nodes.isEmpty { nodes = [RaftSettings.Node(id: raftNodeID(for: advertise), address: advertise)] }
            guard let me = nodes.first(where: { $0.address == advertise }) else {
                throw ConfigurationError(
                    key: "RaftNodes", "this node's address \(advertise) (RaftAdvertise or RaftBind) is not among RaftNodes")
            }
            selfID = me.id
            guard Set(nodes.map(\.id)).count == nodes.count, Set(nodes.map(\.address)).count == nodes.count else {
                throw ConfigurationError(key: "RaftNodes", "two entries share an id or an address")
            }
            if !preferred.isEmpty, !nodes.contains(where: { $0.address == preferred }) {
                throw ConfigurationError(key: "RaftPreferredLeader", "\(preferred) is not among RaftNodes")
            }
        }
        // Where the other nodes reach this one's API: `HTTPAdvertise`, else the listen address, else (listening on
        // every interface) the host peers already use for Raft (`RaftAdvertise`, default `RaftBind`). A wildcard
        // address cannot be reached: published, it would send every forwarded call and confirmation round nowhere.
        let advertisedHost = String(advertise[..<(advertise.lastIndex(of: ":") ?? advertise.endIndex)])
        let http =
            httpAdvertise.isEmpty
            ? "http://\(isWildcard(listen.host) ? advertisedHost : listen.host):\(listen.port)" : httpAdvertise
        if enabled, let host = URL(string: http)?.host, isWildcard(host) {
            throw ConfigurationError(
                key: "HTTPAdvertise",
                "\(http) is not an address other nodes can reach: set HTTPAdvertise (or RaftAdvertise) to this node's address")
        }
        var settings = RaftSettings(
            enabled: enabled, bindHost: bindHost, bindPort: bindPort, advertise: advertise, dataDirectory: dataDirectory,
            nodes: nodes, selfID: selfID, sharedSecret: Secret(secret), preferredLeader: preferred, httpAdvertise: http,
            tickMilliseconds: tick, bootstrap: bootstrap, snapshotThreshold: snapshotThreshold,
            snapshotTrailingEntries: trailing)
        settings.confirmationTimeoutMilliseconds = confirmationTimeout
        return settings
    }
}
