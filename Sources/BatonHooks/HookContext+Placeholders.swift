import BatonCore

extension HookContext {
    /// Every placeholder orchestrator substitutes, in its documentation's order.
    public static let placeholderNames: [String] = [
        "failureType", "instanceType", "isMaster", "isCoMaster", "failureDescription", "command",
        "failedHost", "failedPort", "failureCluster", "failureClusterAlias", "failureClusterDomain",
        "countSlaves", "countReplicas", "isDowntimed", "autoMasterRecovery", "autoIntermediateMasterRecovery",
        "orchestratorHost", "recoveryUID", "isSuccessful",
        "lostSlaves", "lostReplicas", "countLostReplicas", "slaveHosts", "replicaHosts",
    ] + successorPlaceholderNames

    /// The placeholders substituted only when a successor is known; otherwise they stay literally in the text.
    public static let successorPlaceholderNames: [String] = [
        "successorHost", "successorPort", "successorBinlogCoordinates", "successorAlias",
    ]

    /// The value of every placeholder this context can fill, unquoted (quoting is the template's business).
    public var placeholderValues: [String: String] {
        let lost = Self.hostList(lostReplicas)
        let replicas = Self.hostList(replicaHosts)
        var values: [String: String] = [
            "failureType": failureType.rawValue,
            "instanceType": instanceType,
            "isMaster": String(isMaster),
            "isCoMaster": String(isCoMaster),
            "failureDescription": failureDescription,
            "command": command,
            "failedHost": failedInstance.hostname,
            "failedPort": String(failedInstance.port),
            "failureCluster": failureCluster,
            "failureClusterAlias": failureClusterAlias,
            "failureClusterDomain": failureClusterDomain,
            "countSlaves": String(countReplicas),
            "countReplicas": String(countReplicas),
            "isDowntimed": String(isDowntimed),
            "autoMasterRecovery": String(autoMasterRecovery),
            "autoIntermediateMasterRecovery": String(autoIntermediateMasterRecovery),
            "orchestratorHost": orchestratorHost,
            "recoveryUID": recoveryUID,
            "isSuccessful": String(isSuccessful),
            "lostSlaves": lost,
            "lostReplicas": lost,
            "countLostReplicas": String(lostReplicas.count),
            "slaveHosts": replicas,
            "replicaHosts": replicas,
        ]
        if let successor {
            values["successorHost"] = successor.hostname
            values["successorPort"] = String(successor.port)
            values["successorBinlogCoordinates"] = successorBinlogCoordinates.map { "\($0.logFile):\($0.logPos)" } ?? ""
            values["successorAlias"] = successorAlias ?? ""
        }
        return values
    }

    /// orchestrator's `ORC_*` variables plus Baton's `BATON_*` ones.
    /// - Parameter timeout: the hook's effective timeout, exported as `BATON_HOOK_TIMEOUT_SECONDS`.
    public func environment(timeout: Duration? = nil) -> [String: String] {
        let values = placeholderValues
        var environment: [String: String] = [
            "ORC_FAILURE_TYPE": values["failureType"]!,
            "ORC_INSTANCE_TYPE": instanceType,
            "ORC_IS_MASTER": values["isMaster"]!,
            "ORC_IS_CO_MASTER": values["isCoMaster"]!,
            "ORC_FAILURE_DESCRIPTION": failureDescription,
            "ORC_COMMAND": command,
            "ORC_FAILED_HOST": failedInstance.hostname,
            "ORC_FAILED_PORT": values["failedPort"]!,
            "ORC_FAILURE_CLUSTER": failureCluster,
            "ORC_FAILURE_CLUSTER_ALIAS": failureClusterAlias,
            "ORC_FAILURE_CLUSTER_DOMAIN": failureClusterDomain,
            "ORC_COUNT_REPLICAS": values["countReplicas"]!,
            "ORC_IS_DOWNTIMED": values["isDowntimed"]!,
            "ORC_AUTO_MASTER_RECOVERY": values["autoMasterRecovery"]!,
            "ORC_AUTO_INTERMEDIATE_MASTER_RECOVERY": values["autoIntermediateMasterRecovery"]!,
            "ORC_ORCHESTRATOR_HOST": orchestratorHost,
            "ORC_IS_SUCCESSFUL": values["isSuccessful"]!,
            "ORC_LOST_REPLICAS": values["lostReplicas"]!,
            "ORC_REPLICA_HOSTS": values["replicaHosts"]!,
            "ORC_RECOVERY_UID": recoveryUID,
            "BATON_RECOVERY_UID": recoveryUID,
            "BATON_NODE": orchestratorHost,
            "BATON_FAILED_INSTANCE": failedInstance.description,
            "BATON_COUNT_LOST_REPLICAS": values["countLostReplicas"]!,
        ]
        if successor != nil {
            environment["ORC_SUCCESSOR_HOST"] = values["successorHost"]
            environment["ORC_SUCCESSOR_PORT"] = values["successorPort"]
            environment["ORC_SUCCESSOR_BINLOG_COORDINATES"] = values["successorBinlogCoordinates"]
            environment["ORC_SUCCESSOR_ALIAS"] = values["successorAlias"]
            environment["BATON_SUCCESSOR_INSTANCE"] = successor?.description
        }
        if let phase { environment["BATON_HOOK_PHASE"] = phase.rawValue }
        if let timeout { environment["BATON_HOOK_TIMEOUT_SECONDS"] = Self.seconds(timeout) }
        return environment
    }

    /// Comma-delimited `host:port`, as orchestrator writes instance lists.
    static func hostList(_ keys: [InstanceKey]) -> String {
        keys.map(\.description).joined(separator: ",")
    }

    static func seconds(_ duration: Duration) -> String {
        duration.components.attoseconds == 0 ? String(duration.components.seconds) : String(duration.inSeconds)
    }
}
