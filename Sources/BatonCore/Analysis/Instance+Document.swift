import Foundation

extension Instance {
    /// Rebuilds an instance from its API document (`GET /api/instance`, `/api/all-instances`), for offline analysis.
    ///
    /// `TopologyResolver` must run afterwards (cluster, depth and co-primary are not taken from the document).
    /// The document's `IsLastCheckValid` is authoritative: when the timestamps say otherwise they are adjusted —
    /// an invalid check gets `lastChecked` one second after `lastSeen` (so it is also an unreachable replica), a
    /// valid one gets `lastChecked = lastAttempted = lastSeen`, and a valid one without `LastSeenTimestamp` (a
    /// hand-written what-if) is taken as seen at `now`. Thread states come from `ReplicationIOThreadState` /
    /// `ReplicationSQLThreadState`, falling back to `Slave_IO_Running` / `Slave_SQL_Running` when out of range.
    /// - Throws: `SnapshotError` for an invalid key or master key, or a malformed timestamp.
    public init(
        document: InstanceDocument, now: Date, settings: AnalysisSettings = AnalysisSettings()
    ) throws(SnapshotError) {
        let key = document.key
        guard key.isValid else {
            throw SnapshotError(
                code: .invalidKey, instance: nil,
                message: "instance key \"\(key)\" is invalid: it needs a host name and a port in 1...65535")
        }
        self.init(key: key)
        let sourceKey = try Self.sourceKey(of: document)
        sourceKey.map { self.sourceKey = $0 }

        facts.serverID = document.serverID
        facts.serverUUID = document.serverUUID
        facts.version = ServerVersion(parsing: document.version, comment: document.versionComment)
        facts.versionComment = document.versionComment
        facts.readOnly = document.readOnly
        facts.superReadOnly = document.superReadOnly
        facts.logBinEnabled = document.logBinEnabled
        facts.logReplicaUpdatesEnabled = document.logSlaveUpdatesEnabled || document.logReplicationUpdatesEnabled
        facts.binlogFormat = document.binlogFormat
        facts.binlogRowImage = document.binlogRowImage
        facts.binlogFile = document.selfBinlogCoordinates.logFile
        facts.binlogPosition = document.selfBinlogCoordinates.logPos
        facts.gtidMode = document.gtidMode.isEmpty ? "OFF" : document.gtidMode
        facts.executedGTIDSet = document.executedGtidSet
        facts.gtidPurged = document.gtidPurged
        facts.mariaDBGTIDBinlogPos = document.mariaDBGtidBinlogPos
        facts.mariaDBGTIDReplicaPos = document.mariaDBGtidSlavePos
        facts.replicaKeys = document.replicas.isEmpty ? document.slaveHosts : document.replicas
        facts.uptimeSeconds = document.uptime
        facts.semiSync.available = document.semiSyncAvailable
        facts.semiSync.sourceEnabled = document.semiSyncMasterEnabled
        facts.semiSync.replicaEnabled = document.semiSyncReplicaEnabled
        facts.semiSync.sourceStatus = document.semiSyncMasterStatus
        facts.semiSync.replicaStatus = document.semiSyncReplicaStatus
        facts.semiSync.sourceTimeoutMilliseconds = document.semiSyncMasterTimeout
        facts.semiSync.sourceWaitForReplicaCount = document.semiSyncMasterWaitForReplicaCount
        facts.semiSync.sourceClients = document.semiSyncMasterClients
        facts.replication = Self.replication(of: document, sourceKey: sourceKey)

        dataCenter = document.dataCenter
        region = document.region
        physicalEnvironment = document.physicalEnvironment
        promotionRule = PromotionRule(rawValue: document.promotionRule) ?? .neutral
        isLastCheckPartial = document.isLastCheckPartialSuccess
        lastError = document.lastCheckError
        lastProbeLatencyNanoseconds = document.lastDiscoveryLatency

        lastSeen = try Self.date(document.lastSeenTimestamp, field: "LastSeenTimestamp", of: key)
        lastChecked = try Self.date(document.lastCheckedTimestamp, field: "LastCheckedTimestamp", of: key) ?? lastSeen
        lastAttempted =
            try Self.date(document.lastAttemptedTimestamp, field: "LastAttemptedTimestamp", of: key) ?? lastChecked
        let computed = isLastCheckValid(
            pollSeconds: settings.pollSeconds, reasonableCheckSeconds: settings.reasonableCheckSeconds)
        if document.isLastCheckValid, !computed {
            let seen = lastSeen ?? now
            lastSeen = seen
            lastChecked = seen
            lastAttempted = seen
        } else if !document.isLastCheckValid, computed, let seen = lastSeen {
            let checked = seen.addingTimeInterval(1)
            lastChecked = checked
            lastAttempted = max(lastAttempted ?? checked, checked)
        }
        firstSeen = lastSeen
    }

    /// `nil` for "no source": an empty or `_` host, port 0, or a detached (`//host`) source.
    private static func sourceKey(of document: InstanceDocument) throws(SnapshotError) -> InstanceKey? {
        let master = document.masterKey
        if master.hostname.isEmpty || master.hostname == "_" || master.hostname.hasPrefix("//") || master.port == 0 {
            return nil
        }
        guard master.isValid else {
            throw SnapshotError(
                code: .invalidKey, instance: document.key,
                message: "\(document.key) has an invalid MasterKey \"\(master)\": the port must be in 1...65535")
        }
        return master
    }

    private static func replication(of document: InstanceDocument, sourceKey: InstanceKey?) -> ReplicationStatus? {
        let io = threadState(document.replicationIOThreadState, running: document.slaveIORunning)
        let sql = threadState(document.replicationSQLThreadState, running: document.slaveSQLRunning)
        guard sourceKey != nil || io != .noThread || sql != .noThread else { return nil }
        let usingGTID = document.usingMariaDBGTID ? "Slave_Pos" : document.usingOracleGTID ? "AutoPosition" : "No"
        return ReplicationStatus(
            sourceKey: sourceKey ?? document.masterKey, sourceUUID: document.masterUUID, ioThread: io, sqlThread: sql,
            lastIOError: document.lastIOError, lastSQLError: document.lastSQLError,
            secondsBehindSource: (document.secondsBehindMaster.value ?? document.slaveLagSeconds.value).map { Int($0) },
            sqlDelaySeconds: document.sqlDelay,
            readSourceLogFile: document.readBinlogCoordinates.logFile,
            readSourceLogPosition: document.readBinlogCoordinates.logPos,
            execSourceLogFile: document.execBinlogCoordinates.logFile,
            execSourceLogPosition: document.execBinlogCoordinates.logPos,
            relayLogFile: document.relaylogCoordinates.logFile, relayLogPosition: document.relaylogCoordinates.logPos,
            usingGTID: usingGTID, hasReplicationFilters: document.hasReplicationFilters)
    }

    private static func threadState(_ value: Int, running: Bool) -> ReplicationThreadState {
        ReplicationThreadState(rawValue: value) ?? (running ? .running : .stopped)
    }

    private static func date(_ text: String, field: String, of key: InstanceKey) throws(SnapshotError) -> Date? {
        guard !text.isEmpty else { return nil }
        guard let date = OrchestratorTimestamp.parse(text) else {
            throw SnapshotError(
                code: .invalidTimestamp, instance: key,
                message: "\(key) has \(field) \"\(text)\", which is not a yyyy-MM-dd HH:mm:ss time")
        }
        return date
    }
}

extension Downtime {
    /// The downtime an Instance document reports (`IsDowntimed`), or `nil` when it reports none.
    /// The document is authoritative: when `DowntimeEndTimestamp` is missing or already past at `now` (an old
    /// snapshot replayed later), the downtime is kept with no known end (`Date.distantFuture`).
    /// - Throws: `SnapshotError` when `DowntimeEndTimestamp` is malformed.
    public init?(document: InstanceDocument, now: Date) throws(SnapshotError) {
        guard document.isDowntimed else { return nil }
        var end = Date.distantFuture
        if !document.downtimeEndTimestamp.isEmpty {
            guard let parsed = OrchestratorTimestamp.parse(document.downtimeEndTimestamp) else {
                throw SnapshotError(
                    code: .invalidTimestamp, instance: document.key,
                    message: "\(document.key) has DowntimeEndTimestamp \"\(document.downtimeEndTimestamp)\", "
                        + "which is not a yyyy-MM-dd HH:mm:ss time")
            }
            if parsed > now { end = parsed }
        }
        self.init(key: document.key, owner: document.downtimeOwner, reason: document.downtimeReason, endsAt: end)
    }
}
