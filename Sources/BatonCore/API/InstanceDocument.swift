import Foundation

/// The Instance object of the HTTP API, with orchestrator's field names so that `orchestrator-client`, proxies and
/// scripts written for orchestrator read it unchanged. Baton's additions carry names orchestrator does not use.
public struct InstanceDocument: Hashable, Sendable, Codable {
    public var key: InstanceKey
    public var instanceAlias: String = ""
    public var uptime: Int64 = 0
    public var serverID: UInt32 = 0
    public var serverUUID: String = ""
    public var version: String = ""
    public var versionComment: String = ""
    public var flavorName: String = ""
    public var readOnly: Bool = false
    public var superReadOnly: Bool = false
    public var binlogFormat: String = ""
    public var binlogRowImage: String = ""
    public var logBinEnabled: Bool = false
    public var logSlaveUpdatesEnabled: Bool = false
    public var logReplicationUpdatesEnabled: Bool = false
    public var selfBinlogCoordinates: BinlogCoordinates
    public var masterKey: InstanceKey
    public var masterUUID: String = ""
    public var isDetachedMaster: Bool = false
    public var slaveSQLRunning: Bool = false
    public var replicationSQLThreadRuning: Bool = false
    public var slaveIORunning: Bool = false
    public var replicationIOThreadRuning: Bool = false
    public var replicationSQLThreadState: Int = -1
    public var replicationIOThreadState: Int = -1
    public var hasReplicationFilters: Bool = false
    public var gtidMode: String = ""
    public var supportsOracleGTID: Bool = false
    public var usingOracleGTID: Bool = false
    public var usingMariaDBGTID: Bool = false
    public var usingPseudoGTID: Bool = false
    public var readBinlogCoordinates: BinlogCoordinates
    public var execBinlogCoordinates: BinlogCoordinates
    public var isDetached: Bool = false
    public var relaylogCoordinates: BinlogCoordinates
    public var lastSQLError: String = ""
    public var lastIOError: String = ""
    public var secondsBehindMaster: NullableInt64
    public var sqlDelay: Int = 0
    public var executedGtidSet: String = ""
    public var gtidPurged: String = ""
    public var gtidErrant: String = ""
    public var slaveLagSeconds: NullableInt64
    public var replicationLagSeconds: NullableInt64
    public var slaveHosts: [InstanceKey] = []
    public var replicas: [InstanceKey] = []
    public var clusterName: String = ""
    public var suggestedClusterAlias: String = ""
    public var dataCenter: String = ""
    public var region: String = ""
    public var physicalEnvironment: String = ""
    public var replicationDepth: Int = 0
    public var isCoMaster: Bool = false
    public var semiSyncAvailable: Bool = false
    public var semiSyncMasterEnabled: Bool = false
    public var semiSyncReplicaEnabled: Bool = false
    public var semiSyncMasterTimeout: Int = 0
    public var semiSyncMasterWaitForReplicaCount: Int = 0
    public var semiSyncMasterStatus: Bool = false
    public var semiSyncMasterClients: Int = 0
    public var semiSyncReplicaStatus: Bool = false
    public var lastSeenTimestamp: String = ""
    public var isLastCheckValid: Bool = false
    public var isUpToDate: Bool = false
    public var isRecentlyChecked: Bool = false
    public var secondsSinceLastSeen: NullableInt64
    public var isCandidate: Bool = false
    public var promotionRule: String = PromotionRule.neutral.rawValue
    public var isDowntimed: Bool = false
    public var downtimeReason: String = ""
    public var downtimeOwner: String = ""
    public var downtimeEndTimestamp: String = ""
    public var unresolvedHostname: String = ""
    public var allowTLS: Bool = false
    public var problems: [String] = []
    public var lastDiscoveryLatency: Int64 = 0
    // Baton's additions.
    public var mariaDBGtidBinlogPos: String = ""
    public var mariaDBGtidSlavePos: String = ""
    public var lastCheckedTimestamp: String = ""
    public var lastAttemptedTimestamp: String = ""
    public var isLastCheckPartialSuccess: Bool = false
    public var lastCheckError: String = ""

    enum CodingKeys: String, CodingKey {
        case key = "Key", instanceAlias = "InstanceAlias", uptime = "Uptime", serverID = "ServerID"
        case serverUUID = "ServerUUID", version = "Version", versionComment = "VersionComment"
        case flavorName = "FlavorName", readOnly = "ReadOnly", superReadOnly = "SuperReadOnly"
        case binlogFormat = "Binlog_format", binlogRowImage = "BinlogRowImage", logBinEnabled = "LogBinEnabled"
        case logSlaveUpdatesEnabled = "LogSlaveUpdatesEnabled"
        case logReplicationUpdatesEnabled = "LogReplicationUpdatesEnabled"
        case selfBinlogCoordinates = "SelfBinlogCoordinates", masterKey = "MasterKey", masterUUID = "MasterUUID"
        case isDetachedMaster = "IsDetachedMaster", slaveSQLRunning = "Slave_SQL_Running"
        case replicationSQLThreadRuning = "ReplicationSQLThreadRuning", slaveIORunning = "Slave_IO_Running"
        case replicationIOThreadRuning = "ReplicationIOThreadRuning"
        case replicationSQLThreadState = "ReplicationSQLThreadState"
        case replicationIOThreadState = "ReplicationIOThreadState"
        case hasReplicationFilters = "HasReplicationFilters", gtidMode = "GTIDMode"
        case supportsOracleGTID = "SupportsOracleGTID", usingOracleGTID = "UsingOracleGTID"
        case usingMariaDBGTID = "UsingMariaDBGTID", usingPseudoGTID = "UsingPseudoGTID"
        case readBinlogCoordinates = "ReadBinlogCoordinates", execBinlogCoordinates = "ExecBinlogCoordinates"
        case isDetached = "IsDetached", relaylogCoordinates = "RelaylogCoordinates", lastSQLError = "LastSQLError"
        case lastIOError = "LastIOError", secondsBehindMaster = "SecondsBehindMaster", sqlDelay = "SQLDelay"
        case executedGtidSet = "ExecutedGtidSet", gtidPurged = "GtidPurged", gtidErrant = "GtidErrant"
        case slaveLagSeconds = "SlaveLagSeconds", replicationLagSeconds = "ReplicationLagSeconds"
        case slaveHosts = "SlaveHosts", replicas = "Replicas", clusterName = "ClusterName"
        case suggestedClusterAlias = "SuggestedClusterAlias", dataCenter = "DataCenter", region = "Region"
        case physicalEnvironment = "PhysicalEnvironment", replicationDepth = "ReplicationDepth"
        case isCoMaster = "IsCoMaster", semiSyncAvailable = "SemiSyncAvailable"
        case semiSyncMasterEnabled = "SemiSyncMasterEnabled", semiSyncReplicaEnabled = "SemiSyncReplicaEnabled"
        case semiSyncMasterTimeout = "SemiSyncMasterTimeout"
        case semiSyncMasterWaitForReplicaCount = "SemiSyncMasterWaitForReplicaCount"
        case semiSyncMasterStatus = "SemiSyncMasterStatus", semiSyncMasterClients = "SemiSyncMasterClients"
        case semiSyncReplicaStatus = "SemiSyncReplicaStatus", lastSeenTimestamp = "LastSeenTimestamp"
        case isLastCheckValid = "IsLastCheckValid", isUpToDate = "IsUpToDate"
        case isRecentlyChecked = "IsRecentlyChecked", secondsSinceLastSeen = "SecondsSinceLastSeen"
        case isCandidate = "IsCandidate", promotionRule = "PromotionRule", isDowntimed = "IsDowntimed"
        case downtimeReason = "DowntimeReason", downtimeOwner = "DowntimeOwner"
        case downtimeEndTimestamp = "DowntimeEndTimestamp", unresolvedHostname = "UnresolvedHostname"
        case allowTLS = "AllowTLS", problems = "Problems", lastDiscoveryLatency = "LastDiscoveryLatency"
        case mariaDBGtidBinlogPos = "MariaDBGtidBinlogPos", mariaDBGtidSlavePos = "MariaDBGtidSlavePos"
        case lastCheckedTimestamp = "LastCheckedTimestamp", lastAttemptedTimestamp = "LastAttemptedTimestamp"
        case isLastCheckPartialSuccess = "IsLastCheckPartialSuccess", lastCheckError = "LastCheckError"
    }
}

extension InstanceDocument {
    /// Builds the API view of an instance as of `now`, with its downtime when one is in force.
    public init(_ instance: Instance, now: Date, pollSeconds: Int, downtime: Downtime? = nil) {
        let facts = instance.facts
        let replication = facts.replication
        let valid = instance.isLastCheckValid(pollSeconds: pollSeconds)
        let lag = replication?.secondsBehindSource.map(Int64.init)
        let sinceSeen = instance.lastSeen.map { Int64(now.timeIntervalSince($0).rounded(.down)) }

        key = instance.key
        uptime = facts.uptimeSeconds
        serverID = facts.serverID
        serverUUID = facts.serverUUID
        version = facts.version?.raw ?? ""
        versionComment = facts.versionComment
        flavorName = facts.version?.flavor.rawValue ?? ""
        readOnly = facts.readOnly
        superReadOnly = facts.superReadOnly
        binlogFormat = facts.binlogFormat
        binlogRowImage = facts.binlogRowImage
        logBinEnabled = facts.logBinEnabled
        logSlaveUpdatesEnabled = facts.logReplicaUpdatesEnabled
        logReplicationUpdatesEnabled = facts.logReplicaUpdatesEnabled
        selfBinlogCoordinates = BinlogCoordinates(logFile: facts.binlogFile, logPos: facts.binlogPosition)
        masterKey = instance.sourceKey ?? InstanceKey(hostname: "", port: 0)
        masterUUID = replication?.sourceUUID ?? ""
        let sqlState = replication?.sqlThread ?? .noThread
        let ioState = replication?.ioThread ?? .noThread
        slaveSQLRunning = sqlState.isRunning
        replicationSQLThreadRuning = sqlState.isRunning
        slaveIORunning = ioState.isRunning
        replicationIOThreadRuning = ioState.isRunning
        replicationSQLThreadState = sqlState.rawValue
        replicationIOThreadState = ioState.rawValue
        hasReplicationFilters = replication?.hasReplicationFilters ?? false
        gtidMode = facts.gtidMode
        supportsOracleGTID = facts.supportsOracleGTID
        usingOracleGTID = facts.usingOracleGTID
        usingMariaDBGTID = facts.usingMariaDBGTID
        readBinlogCoordinates = BinlogCoordinates(
            logFile: replication?.readSourceLogFile ?? "", logPos: replication?.readSourceLogPosition ?? 0)
        execBinlogCoordinates = BinlogCoordinates(
            logFile: replication?.execSourceLogFile ?? "", logPos: replication?.execSourceLogPosition ?? 0)
        relaylogCoordinates = BinlogCoordinates(
            logFile: replication?.relayLogFile ?? "", logPos: replication?.relayLogPosition ?? 0, type: 1)
        lastSQLError = replication?.lastSQLError ?? ""
        lastIOError = replication?.lastIOError ?? ""
        secondsBehindMaster = NullableInt64(lag)
        sqlDelay = replication?.sqlDelaySeconds ?? 0
        executedGtidSet = facts.executedGTIDSet
        gtidPurged = facts.gtidPurged
        slaveLagSeconds = NullableInt64(lag)
        replicationLagSeconds = NullableInt64(lag)
        slaveHosts = facts.replicaKeys
        replicas = facts.replicaKeys
        clusterName = instance.clusterName
        dataCenter = instance.dataCenter
        region = instance.region
        physicalEnvironment = instance.physicalEnvironment
        replicationDepth = instance.replicationDepth
        isCoMaster = instance.isCoPrimary
        semiSyncAvailable = facts.semiSync.available
        semiSyncMasterEnabled = facts.semiSync.sourceEnabled
        semiSyncReplicaEnabled = facts.semiSync.replicaEnabled
        semiSyncMasterTimeout = facts.semiSync.sourceTimeoutMilliseconds
        semiSyncMasterWaitForReplicaCount = facts.semiSync.sourceWaitForReplicaCount
        semiSyncMasterStatus = facts.semiSync.sourceStatus
        semiSyncMasterClients = facts.semiSync.sourceClients
        semiSyncReplicaStatus = facts.semiSync.replicaStatus
        lastSeenTimestamp = instance.lastSeen.map(OrchestratorTimestamp.format) ?? ""
        isLastCheckValid = valid
        isRecentlyChecked = instance.lastChecked.map { now.timeIntervalSince($0) <= Double(pollSeconds * 5) } ?? false
        isUpToDate = valid && isRecentlyChecked
        secondsSinceLastSeen = NullableInt64(sinceSeen)
        promotionRule = instance.promotionRule.rawValue
        isCandidate = instance.promotionRule == .prefer || instance.promotionRule == .must
        problems = Self.problems(of: instance, valid: valid)
        lastDiscoveryLatency = instance.lastProbeLatencyNanoseconds
        if let downtime, downtime.isActive(at: now) {
            isDowntimed = true
            downtimeReason = downtime.reason
            downtimeOwner = downtime.owner
            downtimeEndTimestamp = OrchestratorTimestamp.format(downtime.endsAt)
        }
        mariaDBGtidBinlogPos = facts.mariaDBGTIDBinlogPos
        mariaDBGtidSlavePos = facts.mariaDBGTIDReplicaPos
        lastCheckedTimestamp = instance.lastChecked.map(OrchestratorTimestamp.format) ?? ""
        lastAttemptedTimestamp = instance.lastAttempted.map(OrchestratorTimestamp.format) ?? ""
        isLastCheckPartialSuccess = instance.isLastCheckPartial
        lastCheckError = instance.lastError
    }

    static func problems(of instance: Instance, valid: Bool) -> [String] {
        var problems: [String] = []
        if !valid { problems.append("last_check_invalid") }
        if let replication = instance.facts.replication, instance.sourceKey != nil {
            if !replication.sqlThread.isRunning { problems.append("not_replicating") }
            if !replication.ioThread.isRunning { problems.append("io_thread_not_running") }
            if !replication.lastIOError.isEmpty || !replication.lastSQLError.isEmpty {
                problems.append("replication_error")
            }
        }
        return problems
    }
}
