/// What `SHOW SLAVE STATUS` / `SHOW REPLICA STATUS` said about an instance's replication from its source.
public struct ReplicationStatus: Hashable, Sendable, Codable {
    /// The source as configured (`Master_Host`, `Master_Port`), before hostname resolution.
    public var sourceKey: InstanceKey
    public var sourceUUID: String
    public var ioThread: ReplicationThreadState
    public var sqlThread: ReplicationThreadState
    /// `Slave_IO_State`, a human readable description of what the IO thread is doing.
    public var ioState: String
    public var lastIOErrorNumber: Int
    public var lastIOError: String
    public var lastSQLErrorNumber: Int
    public var lastSQLError: String
    /// `Seconds_Behind_Master`; `nil` when the server reports NULL (SQL thread stopped, IO thread broken).
    public var secondsBehindSource: Int?
    public var sqlDelaySeconds: Int
    /// The binary log position of the source that the IO thread has read up to.
    public var readSourceLogFile: String
    public var readSourceLogPosition: Int64
    /// The binary log position of the source that the SQL thread has executed up to.
    public var execSourceLogFile: String
    public var execSourceLogPosition: Int64
    public var relayLogFile: String
    public var relayLogPosition: Int64
    /// MariaDB `Using_Gtid` (`No`, `Slave_Pos`, `Current_Pos`); MySQL auto-position maps to `AutoPosition`.
    public var usingGTID: String
    /// MySQL `Retrieved_Gtid_Set` / MariaDB `Gtid_IO_Pos`.
    public var retrievedGTIDSet: String
    public var hasReplicationFilters: Bool

    public init(
        sourceKey: InstanceKey, sourceUUID: String = "", ioThread: ReplicationThreadState,
        sqlThread: ReplicationThreadState, ioState: String = "", lastIOErrorNumber: Int = 0, lastIOError: String = "",
        lastSQLErrorNumber: Int = 0, lastSQLError: String = "", secondsBehindSource: Int? = nil,
        sqlDelaySeconds: Int = 0, readSourceLogFile: String = "", readSourceLogPosition: Int64 = 0,
        execSourceLogFile: String = "", execSourceLogPosition: Int64 = 0, relayLogFile: String = "",
        relayLogPosition: Int64 = 0, usingGTID: String = "No", retrievedGTIDSet: String = "",
        hasReplicationFilters: Bool = false
    ) {
        self.sourceKey = sourceKey
        self.sourceUUID = sourceUUID
        self.ioThread = ioThread
        self.sqlThread = sqlThread
        self.ioState = ioState
        self.lastIOErrorNumber = lastIOErrorNumber
        self.lastIOError = lastIOError
        self.lastSQLErrorNumber = lastSQLErrorNumber
        self.lastSQLError = lastSQLError
        self.secondsBehindSource = secondsBehindSource
        self.sqlDelaySeconds = sqlDelaySeconds
        self.readSourceLogFile = readSourceLogFile
        self.readSourceLogPosition = readSourceLogPosition
        self.execSourceLogFile = execSourceLogFile
        self.execSourceLogPosition = execSourceLogPosition
        self.relayLogFile = relayLogFile
        self.relayLogPosition = relayLogPosition
        self.usingGTID = usingGTID
        self.retrievedGTIDSet = retrievedGTIDSet
        self.hasReplicationFilters = hasReplicationFilters
    }

    /// Both threads running.
    public var isReplicating: Bool { ioThread.isRunning && sqlThread.isRunning }

    /// Whether replication uses GTID positioning (MariaDB `Using_Gtid` other than `No`, or MySQL auto-position).
    public var usesGTIDPositioning: Bool { !usingGTID.isEmpty && usingGTID.lowercased() != "no" }
}
