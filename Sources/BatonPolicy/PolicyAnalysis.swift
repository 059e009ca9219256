import BatonCore

/// The failure analysis as a policy sees it: the `analysis` table of `filter` and `on_detection`.
public struct PolicyAnalysis: Sendable, Hashable {
    /// orchestrator's analysis code, e.g. `DeadMaster`.
    public var code: String
    public var key: InstanceKey
    public var cluster: String
    /// The analysed instance's source; `nil` for a primary.
    public var source: InstanceKey?
    public var dataCenter: String
    public var region: String
    public var environment: String
    public var isPrimary: Bool
    public var isCoPrimary: Bool
    public var lastCheckValid: Bool
    public var isDowntimed: Bool
    public var isActionable: Bool
    public var replicationDepth: Int
    public var countReplicas: Int
    public var countValidReplicas: Int
    public var countValidReplicatingReplicas: Int
    public var countReplicasFailingToConnect: Int
    public var countDowntimedReplicas: Int
    public var countDelayedReplicas: Int
    public var countLaggingReplicas: Int
    public var replicas: [InstanceKey]
    public var description: String

    public init(
        code: String, key: InstanceKey, cluster: String, source: InstanceKey? = nil, dataCenter: String = "",
        region: String = "", environment: String = "", isPrimary: Bool = true, isCoPrimary: Bool = false,
        lastCheckValid: Bool = false, isDowntimed: Bool = false, isActionable: Bool = true,
        replicationDepth: Int = 0, countReplicas: Int = 0, countValidReplicas: Int = 0,
        countValidReplicatingReplicas: Int = 0, countReplicasFailingToConnect: Int = 0,
        countDowntimedReplicas: Int = 0, countDelayedReplicas: Int = 0, countLaggingReplicas: Int = 0,
        replicas: [InstanceKey] = [], description: String = ""
    ) {
        self.code = code
        self.key = key
        self.cluster = cluster
        self.source = source
        self.dataCenter = dataCenter
        self.region = region
        self.environment = environment
        self.isPrimary = isPrimary
        self.isCoPrimary = isCoPrimary
        self.lastCheckValid = lastCheckValid
        self.isDowntimed = isDowntimed
        self.isActionable = isActionable
        self.replicationDepth = replicationDepth
        self.countReplicas = countReplicas
        self.countValidReplicas = countValidReplicas
        self.countValidReplicatingReplicas = countValidReplicatingReplicas
        self.countReplicasFailingToConnect = countReplicasFailingToConnect
        self.countDowntimedReplicas = countDowntimedReplicas
        self.countDelayedReplicas = countDelayedReplicas
        self.countLaggingReplicas = countLaggingReplicas
        self.replicas = replicas
        self.description = description
    }

    public init(_ analysis: ReplicationAnalysis) {
        let source = analysis.analyzedInstanceMasterKey
        self.init(
            code: analysis.analysis.rawValue, key: analysis.analyzedInstanceKey,
            cluster: analysis.clusterDetails.clusterName, source: source.isValid ? source : nil,
            dataCenter: analysis.analyzedInstanceDataCenter, region: analysis.analyzedInstanceRegion,
            environment: analysis.analyzedInstancePhysicalEnvironment, isPrimary: analysis.isMaster,
            isCoPrimary: analysis.isCoMaster, lastCheckValid: analysis.lastCheckValid,
            isDowntimed: analysis.isDowntimed, isActionable: analysis.isActionableRecovery,
            replicationDepth: analysis.replicationDepth, countReplicas: analysis.countReplicas,
            countValidReplicas: analysis.countValidReplicas,
            countValidReplicatingReplicas: analysis.countValidReplicatingReplicas,
            countReplicasFailingToConnect: analysis.countReplicasFailingToConnectToMaster,
            countDowntimedReplicas: analysis.countDowntimedReplicas,
            countDelayedReplicas: analysis.countDelayedReplicas, countLaggingReplicas: analysis.countLaggingReplicas,
            replicas: analysis.replicas, description: analysis.description)
    }

    var luaValue: LuaInput {
        .record([
            ("code", .string(code)),
            ("key", .string(key.description)),
            ("hostname", .string(key.hostname)),
            ("port", .integer(Int64(key.port))),
            ("cluster", .string(cluster)),
            ("source", source.map { .string($0.description) } ?? .null),
            ("data_center", .string(dataCenter)),
            ("region", .string(region)),
            ("environment", .string(environment)),
            ("is_primary", .boolean(isPrimary)),
            ("is_co_primary", .boolean(isCoPrimary)),
            ("last_check_valid", .boolean(lastCheckValid)),
            ("is_downtimed", .boolean(isDowntimed)),
            ("is_actionable", .boolean(isActionable)),
            ("replication_depth", .integer(Int64(replicationDepth))),
            ("count_replicas", .integer(Int64(countReplicas))),
            ("count_valid_replicas", .integer(Int64(countValidReplicas))),
            ("count_valid_replicating_replicas", .integer(Int64(countValidReplicatingReplicas))),
            ("count_replicas_failing_to_connect", .integer(Int64(countReplicasFailingToConnect))),
            ("count_downtimed_replicas", .integer(Int64(countDowntimedReplicas))),
            ("count_delayed_replicas", .integer(Int64(countDelayedReplicas))),
            ("count_lagging_replicas", .integer(Int64(countLaggingReplicas))),
            ("replicas", .array(replicas.map { .string($0.description) })),
            ("description", .string(description)),
        ])
    }
}
