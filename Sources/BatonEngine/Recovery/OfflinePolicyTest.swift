import BatonCore
import Foundation

/// `baton policy test`: a dry run of a policy against a topology snapshot, with a configuration file's settings —
/// the same analysis settings, recovery settings and decider the daemon's `what-if` uses.
public struct OfflinePolicyTest: Sendable {
    public let configuration: BatonConfiguration
    public let policy: LoadedPolicy
    /// What the snapshot is read and analysed with: the daemon's mapping of the same file.
    public var analysisSettings: AnalysisSettings { configuration.analysisSettings }

    /// Loads `policyPath` with the configuration's limits (its own `PolicyScript` is not used).
    public init(configuration: BatonConfiguration, policyPath: String) {
        self.configuration = configuration
        policy = LoadedPolicy.load(path: policyPath, limits: configuration.recovery.policyLimits)
    }

    /// The instances of a snapshot file's documents (`baton analyze` format), read with the configuration's settings.
    public func instances(fromSnapshot data: Data, now: Date) throws -> [Instance] {
        let documents = try OfflineAnalysis.decodeDocuments(data)
        return try AnalysisSnapshot.fromDocuments(documents, now: now, settings: analysisSettings).instances
    }

    /// What would happen if `failed` failed now.
    public func run(failing failed: InstanceKey, instances: [Instance], now: Date) throws(RecoveryDryRun.UnknownInstance)
        -> WhatIfReport
    {
        let decider = RecoveryDecider(
            settings: configuration.recovery, policy: policy, pollSeconds: configuration.discovery.instancePollSeconds,
            reasonableCheckSeconds: configuration.discovery.reasonableInstanceCheckSeconds)
        return try RecoveryDryRun.run(
            failing: failed, instances: instances,
            facts: RecoveryDryRun.Facts(
                now: now, analysisSettings: analysisSettings, nodeName: "policy-test"),
            decider: decider)
    }
}
