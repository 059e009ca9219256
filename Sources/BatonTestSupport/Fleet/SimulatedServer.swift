import BatonCore

/// The state of one simulated server: identity, settings, binary log and GTIDs, its replication from a source,
/// whether it runs, and the faults it shows. Pure data, changed only by ``FleetState``.
public struct SimulatedServer: Sendable {
    /// The index in ``FleetState/servers``; stable for the fleet's life.
    public let id: Int
    public let name: String
    /// `@@hostname` when the topology sets one; otherwise the address.
    let configuredHostname: String?
    public let cluster: String
    /// Where it listens (the port is the bound one once the fleet runs).
    public internal(set) var key: InstanceKey
    public let profile: SimulatedServerProfile
    public let serverID: UInt32
    /// MySQL `@@server_uuid` (MariaDB has none).
    public let serverUUID: String
    /// MariaDB `gtid_domain_id`.
    public let gtidDomain: Int
    public internal(set) var readOnly: Bool
    /// MySQL only.
    public internal(set) var superReadOnly: Bool = false
    public let logReplicaUpdates: Bool
    public let binlogFormat: String
    /// Apply delay of this server as a replica (seconds).
    public internal(set) var lagSeconds: Double
    /// False after a kill, until a restart.
    public internal(set) var alive = true
    var startedAt: ContinuousClock.Instant

    /// Transactions in this server's own binary log (MariaDB `gtid_binlog_pos`).
    public internal(set) var binlogGTIDs = SimulatedGTIDSet()
    /// Everything applied (MySQL `gtid_executed`, MariaDB `gtid_current_pos`).
    public internal(set) var executedGTIDs = SimulatedGTIDSet()
    /// MariaDB `gtid_slave_pos`: the last transactions applied by replication.
    public internal(set) var replicaGTIDs = SimulatedGTIDSet()
    var binlogFileNumber = 1
    public internal(set) var binlogPosition: Int64 = SimulatedServer.binlogStart

    /// Replication from a source; nil when none is configured (a primary, or after `RESET SLAVE ALL`).
    public internal(set) var link: SimulatedReplicaLink?
    public internal(set) var faults = SimulatedFaults()
    /// Values set with `SET GLOBAL` for variables the simulator only stores.
    var variableOverrides: [String: String] = [:]

    /// Bytes a fresh binary log starts at, and the size of one simulated transaction in it.
    static let binlogStart: Int64 = 328
    static let transactionSize: Int64 = 372

    init(
        id: Int, name: String, configuredHostname: String?, cluster: String, key: InstanceKey, profile: SimulatedServerProfile, serverID: UInt32,
        serverUUID: String, gtidDomain: Int, readOnly: Bool, logReplicaUpdates: Bool, binlogFormat: String,
        lagSeconds: Double, startedAt: ContinuousClock.Instant
    ) {
        self.id = id
        self.name = name
        self.configuredHostname = configuredHostname
        self.cluster = cluster
        self.key = key
        self.profile = profile
        self.serverID = serverID
        self.serverUUID = serverUUID
        self.gtidDomain = gtidDomain
        self.readOnly = readOnly
        self.logReplicaUpdates = logReplicaUpdates
        self.binlogFormat = binlogFormat
        self.lagSeconds = lagSeconds
        self.startedAt = startedAt
    }

    public var isMariaDB: Bool { profile.isMariaDB }
    public var hostname: String { configuredHostname ?? key.hostname }
    public var binlogFile: String { profile.binlogFilePrefix + "." + sixDigits(binlogFileNumber) }

    /// The key its own writes are recorded under: the domain (MariaDB) or its UUID (MySQL).
    var gtidKey: String { isMariaDB ? String(gtidDomain) : serverUUID }

    /// `@@gtid_executed` / `@@gtid_current_pos` as the server prints it.
    public var executedGTIDText: String { executedGTIDs.text(mariaDB: isMariaDB) }

    /// Records `count` transactions written on this server (by a client, not by replication).
    mutating func writeOwn(_ count: Int) {
        for _ in 0..<max(0, count) {
            binlogGTIDs.append(key: gtidKey, origin: serverID)
            executedGTIDs.append(key: gtidKey, origin: serverID)
            binlogPosition += Self.transactionSize
        }
    }

    /// Applies what a replica received: `gtids` is the source's set after the transactions, `count` how many.
    mutating func applyReplicated(_ gtids: SimulatedGTIDSet, count: UInt64) {
        executedGTIDs.formUnion(gtids)
        replicaGTIDs.formUnion(gtids)
        if logReplicaUpdates {
            binlogGTIDs.formUnion(gtids)
            binlogPosition += Int64(count) * Self.transactionSize
        }
    }
}

/// `1` → `000001`, as binary log file names count.
func sixDigits(_ number: Int) -> String {
    let text = String(number)
    return String(repeating: "0", count: max(0, 6 - text.count)) + text
}
