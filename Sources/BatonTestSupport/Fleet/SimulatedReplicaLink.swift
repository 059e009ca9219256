/// A simulated server's replication from its source, as `CHANGE MASTER TO` / `START SLAVE` left it.
///
/// Whether the IO thread is actually connected is not stored: it follows from the source being known, alive and
/// not cut off by a partition (``FleetState/ioStatus(of:)``).
public struct SimulatedReplicaLink: Sendable, Hashable {
    public var sourceHost: String
    public var sourcePort: Int
    var user = "repl"
    var connectRetry = 60
    /// MariaDB `Using_Gtid` (`Slave_Pos`, `Current_Pos`, `No`).
    public var usingGTID = "Slave_Pos"
    /// MySQL `Auto_Position`.
    public var autoPosition = true
    /// Started with `START SLAVE` (or the topology) and not stopped.
    public var ioWanted = true
    public var sqlRunning = true

    public internal(set) var lastIOErrorNumber = 0
    public internal(set) var lastIOError = ""
    var lastIOErrorTimestamp = ""
    public internal(set) var lastSQLErrorNumber = 0
    public internal(set) var lastSQLError = ""

    /// Transactions received from the source (MySQL `Retrieved_Gtid_Set`, MariaDB `Gtid_IO_Pos`).
    public internal(set) var received = SimulatedGTIDSet()
    /// The source's binary log coordinates read up to, and executed up to.
    var readFile = ""
    var readPosition: Int64 = 4
    var execFile = ""
    var execPosition: Int64 = 0
    var relayFileNumber = 1
    var relayPosition: Int64 = 4
    /// Identity of the source last connected to.
    var sourceServerID: UInt32 = 0
    var sourceUUID = ""
    /// Whether the IO thread was connected at some point since `START SLAVE`.
    var hasConnected = false
    /// Received but not yet applied, oldest first.
    var pending: [PendingTransactions] = []

    init(sourceHost: String, sourcePort: Int) {
        self.sourceHost = sourceHost
        self.sourcePort = sourcePort
    }

    /// A batch of transactions in the relay log.
    struct PendingTransactions: Sendable, Hashable {
        var receivedAt: ContinuousClock.Instant
        /// The source's set once these are applied.
        var gtids: SimulatedGTIDSet
        var count: UInt64
        var sourceFile: String
        var sourcePosition: Int64
    }

    /// The SQL thread has executed everything the IO thread read.
    public var relayLogApplied: Bool { pending.isEmpty }
}
