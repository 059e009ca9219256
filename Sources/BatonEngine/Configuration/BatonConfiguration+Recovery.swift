import BatonCore
import BatonHooks
import BatonPolicy
import Foundation

extension BatonConfiguration {
    /// How the leader recovers (orchestrator's keys, plus Baton's policy keys).
    public struct RecoverySettings: Sendable {
        /// `RecoveryPeriodBlockSeconds` (or `RecoveryPeriodBlockMinutes`): anti-flapping, counted from the end of a
        /// cluster's last recovery.
        public var blockSeconds: Int
        public var masterFilter: ClusterFilter
        public var intermediateMasterFilter: ClusterFilter
        public var constraints: PromotionConstraints
        /// `ApplyMySQLPromotionAfterMasterFailover`, `InstanceBulkOperationsWaitTimeoutSeconds`.
        public var planOptions: RecoveryPlanOptions
        /// `DetachLostReplicasAfterMasterFailover`: stop replication on replicas a recovery leaves behind, so that a
        /// returning old primary cannot feed them writes the new primary never sees.
        public var detachLostReplicas: Bool
        /// `ReasonableMaintenanceReplicationLagSeconds`: a graceful takeover refuses a more lagging replica and waits
        /// this long for it to catch up.
        public var maintenanceLagSeconds: Int
        /// `MySQLReplicationUser`/`MySQLReplicationPassword` (Baton): the account an old primary uses to replicate
        /// from the new one after a graceful takeover. Empty: taken from `ReplicationCredentialsQuery`, if set.
        public var replicationUser: String
        public var replicationPassword: Secret
        /// `ReplicationCredentialsQuery`: run on the designated replica; its first row gives user and password.
        public var replicationCredentialsQuery: String
        /// `PolicyScript` (Baton): the Lua policy file; empty for none.
        public var policyScript: String
        /// `PolicyFailureMode` (Baton): what a recovery does when the policy fails.
        public var policyFailureMode: PolicyFailureMode
        public var policyLimits: PolicyLimits
        /// The hook keys (`PreFailoverProcesses`, …, `ProcessesShellCommand`, `HookTimeoutSeconds`).
        public var hooks: HooksConfiguration
        /// How long the failed primary and lost replicas stay downtimed (orchestrator's fixed one year).
        public var lostInRecoveryDowntimeSeconds: Int
    }

    static func readRecovery(
        _ reader: inout ConfigurationReader, json: Data, environment: [String: String], warnings: inout [String]
    ) throws(ConfigurationError) -> RecoverySettings {
        var blockSeconds = try reader.int("RecoveryPeriodBlockSeconds", default: 0, range: 0...31_536_000)
        let blockMinutes = try reader.int("RecoveryPeriodBlockMinutes", default: 0, range: 0...525_600)
        if blockSeconds == 0 { blockSeconds = blockMinutes > 0 ? blockMinutes * 60 : 3600 }

        var filters: [String: ClusterFilter] = [:]
        for key in ["RecoverMasterClusterFilters", "RecoverIntermediateMasterClusterFilters"] {
            let filter = ClusterFilter(try reader.strings(key))
            if let bad = filter.invalidEntries.first {
                throw ConfigurationError(key: key, "\"\(bad)\" is not a valid regular expression")
            }
            filters[key] = filter
        }

        let ignore = try reader.strings("PromotionIgnoreHostnameFilters")
        for pattern in ignore where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw ConfigurationError(key: "PromotionIgnoreHostnameFilters", "\"\(pattern)\" is not a valid regular expression")
        }
        let failIfBehind = try reader.bool("FailMasterPromotionIfSQLThreadNotUpToDate", default: false)
        let delayIfBehind = try reader.bool("DelayMasterPromotionIfSQLThreadNotUpToDate", default: false)
        if failIfBehind && delayIfBehind {
            throw ConfigurationError(
                key: "DelayMasterPromotionIfSQLThreadNotUpToDate",
                "cannot be set together with FailMasterPromotionIfSQLThreadNotUpToDate")
        }
        let constraints = PromotionConstraints(
            preventCrossDataCenter: try reader.bool("PreventCrossDataCenterMasterFailover", default: false),
            preventCrossRegion: try reader.bool("PreventCrossRegionMasterFailover", default: false),
            failOnLagMinutes: try reader.int("FailMasterPromotionOnLagMinutes", default: 0, range: 0...525_600),
            failIfSQLThreadNotUpToDate: failIfBehind, ignoreHostnameFilters: ignore)

        let bulkWait = try reader.int("InstanceBulkOperationsWaitTimeoutSeconds", default: 10, range: 1...86_400)
        let planOptions = RecoveryPlanOptions(
            applyPromotion: try reader.bool("ApplyMySQLPromotionAfterMasterFailover", default: true),
            relayLogApplyTimeoutSeconds: delayIfBehind ? max(bulkWait, 60) : bulkWait,
            replicationStartTimeoutSeconds: bulkWait)
        // orchestrator reads two spellings and the older one wins when only the newer is false; Baton takes whichever
        // is set, the newer first.
        let detachNew = reader.has("DetachLostReplicasAfterMasterFailover")
        let detach = try reader.bool("DetachLostReplicasAfterMasterFailover", default: true)
        let detachOld = try reader.bool("DetachLostSlavesAfterMasterFailover", default: true)

        let replicationPassword = try expandEnvironment(
            try reader.string("MySQLReplicationPassword", default: ""), key: "MySQLReplicationPassword",
            environment: environment)

        let policyScript = try reader.string("PolicyScript", default: "")
        let modeText = try reader.oneOf(
            "PolicyFailureMode", default: PolicyFailureMode.builtInRules.rawValue,
            allowed: PolicyFailureMode.allCases.map(\.rawValue))
        let defaults = PolicyLimits()
        let limits = PolicyLimits(
            memoryBytes: try reader.int("PolicyMemoryLimitBytes", default: defaults.memoryBytes, range: (1 << 20)...(1 << 32)),
            instructions: try reader.int(
                "PolicyInstructionLimit", default: defaults.instructions, range: 10_000...10_000_000_000),
            timeLimit: .milliseconds(try reader.int("PolicyTimeLimitMilliseconds", default: 1000, range: 10...60_000)))

        let loaded = HooksConfiguration.load(from: json)
        reader.markKnown(HookPhase.allCases.map(\.configurationKey))
        reader.markKnown(["ProcessesShellCommand", "HookTimeoutSeconds", "PostTakeMasterProcesses"])
        if let error = loaded.errors.first {
            throw ConfigurationError(key: error.key.isEmpty ? nil : error.key, error.message)
        }
        warnings += loaded.warnings.map(\.description)

        return RecoverySettings(
            blockSeconds: blockSeconds,
            masterFilter: filters["RecoverMasterClusterFilters"] ?? ClusterFilter([]),
            intermediateMasterFilter: filters["RecoverIntermediateMasterClusterFilters"] ?? ClusterFilter([]),
            constraints: constraints, planOptions: planOptions, detachLostReplicas: detachNew ? detach : detachOld,
            maintenanceLagSeconds: try reader.int(
                "ReasonableMaintenanceReplicationLagSeconds", default: 20, range: 0...86_400),
            replicationUser: try reader.string("MySQLReplicationUser", default: ""),
            replicationPassword: Secret(replicationPassword),
            replicationCredentialsQuery: try reader.string("ReplicationCredentialsQuery", default: ""),
            policyScript: policyScript, policyFailureMode: PolicyFailureMode(rawValue: modeText) ?? .builtInRules,
            policyLimits: limits, hooks: loaded.configuration,
            lostInRecoveryDowntimeSeconds: try reader.int(
                "LostInRecoveryDowntimeSeconds", default: 31_536_000, range: 60...315_360_000))
    }
}
