import BatonCore

/// An instance as a policy sees it: the `failed`, `candidate`, `successor` and `candidates[i]` tables.
public struct PolicyInstance: Sendable, Hashable {
    public var key: InstanceKey
    public var cluster: String
    public var dataCenter: String
    public var region: String
    public var environment: String
    /// `@@version` as reported; empty when never read.
    public var version: String
    /// `MariaDB`, `MySQL` or `Percona`; `nil` when unknown.
    public var flavor: String?
    public var readOnly: Bool
    /// `Seconds_Behind_Master`; `nil` when unknown (NULL, or not a replica).
    public var lagSeconds: Int?
    public var sqlDelay: Int
    public var promotionRule: PromotionRule
    public var executedGTID: String
    public var gtidMode: String
    public var logBin: Bool
    public var logReplicaUpdates: Bool
    public var binlogFormat: String
    public var isDowntimed: Bool
    public var tags: [String]
    /// The source as resolved; `nil` for a primary.
    public var source: InstanceKey?
    public var replicationDepth: Int
    public var isReplicating: Bool
    public var serverID: UInt32
    public var serverUUID: String

    /// Builds the policy's view of `instance`; downtime and tags are kept outside `Instance`, so they are passed in.
    public init(_ instance: Instance, isDowntimed: Bool = false, tags: [String] = []) {
        key = instance.key
        cluster = instance.clusterName
        dataCenter = instance.dataCenter
        region = instance.region
        environment = instance.physicalEnvironment
        version = instance.facts.version?.raw ?? ""
        flavor = instance.facts.flavor?.rawValue
        readOnly = instance.facts.readOnly
        lagSeconds = instance.facts.replication?.secondsBehindSource
        sqlDelay = instance.facts.replication?.sqlDelaySeconds ?? 0
        promotionRule = instance.promotionRule
        executedGTID = instance.facts.executedGTIDSet
        gtidMode = instance.facts.gtidMode
        logBin = instance.facts.logBinEnabled
        logReplicaUpdates = instance.facts.logReplicaUpdatesEnabled
        binlogFormat = instance.facts.binlogFormat
        self.isDowntimed = isDowntimed
        self.tags = tags
        source = instance.sourceKey
        replicationDepth = instance.replicationDepth
        isReplicating = instance.isReplicating
        serverID = instance.facts.serverID
        serverUUID = instance.facts.serverUUID
    }

    var luaValue: LuaInput {
        .record([
            ("key", .string(key.description)),
            ("hostname", .string(key.hostname)),
            ("port", .integer(Int64(key.port))),
            ("cluster", .string(cluster)),
            ("data_center", .string(dataCenter)),
            ("region", .string(region)),
            ("environment", .string(environment)),
            ("version", .string(version)),
            ("flavor", flavor.map(LuaInput.string) ?? .null),
            ("read_only", .boolean(readOnly)),
            ("lag_seconds", lagSeconds.map { .integer(Int64($0)) } ?? .null),
            ("sql_delay", .integer(Int64(sqlDelay))),
            ("promotion_rule", .string(promotionRule.rawValue)),
            ("executed_gtid", .string(executedGTID)),
            ("gtid_mode", .string(gtidMode)),
            ("log_bin", .boolean(logBin)),
            ("log_replica_updates", .boolean(logReplicaUpdates)),
            ("binlog_format", .string(binlogFormat)),
            ("is_downtimed", .boolean(isDowntimed)),
            ("tags", .array(tags.map(LuaInput.string))),
            ("source", source.map { .string($0.description) } ?? .null),
            ("replication_depth", .integer(Int64(replicationDepth))),
            ("is_replicating", .boolean(isReplicating)),
            ("server_id", .integer(Int64(serverID))),
            ("server_uuid", .string(serverUUID)),
        ])
    }
}
