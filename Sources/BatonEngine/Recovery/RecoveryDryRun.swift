import BatonCore
import BatonHooks
import BatonPolicy
import Foundation

/// "What if this instance failed now?" — the analysis it would get, whether it would be recovered, the rankings,
/// the plan and the hooks, computed with the same code as a real recovery and without touching any server.
public enum RecoveryDryRun {
    /// The facts a dry run needs besides the topology.
    public struct Facts: Sendable {
        public var now: Date
        public var downtimes: [Downtime]
        public var analysisSettings: AnalysisSettings
        public var recoveriesEnabled: Bool
        public var pastRecoveries: [RecoveryGate.PastRecovery]
        public var nodeName: String

        public init(
            now: Date, downtimes: [Downtime] = [], analysisSettings: AnalysisSettings, recoveriesEnabled: Bool = true,
            pastRecoveries: [RecoveryGate.PastRecovery] = [], nodeName: String = ""
        ) {
            self.now = now
            self.downtimes = downtimes
            self.analysisSettings = analysisSettings
            self.recoveriesEnabled = recoveriesEnabled
            self.pastRecoveries = pastRecoveries
            self.nodeName = nodeName
        }
    }

    public struct UnknownInstance: Error, CustomStringConvertible {
        public var key: InstanceKey
        public var description: String { "\(key) is not in the topology" }
    }

    /// Runs the dry run for the failure of `key`.
    /// - Throws: `UnknownInstance` when `key` is not among `instances`.
    public static func run(
        failing key: InstanceKey, instances: [Instance], facts: Facts, decider: RecoveryDecider
    ) throws(UnknownInstance) -> WhatIfReport {
        guard instances.contains(where: { $0.key == key }) else { throw UnknownInstance(key: key) }
        let failedTopology = simulateFailure(of: key, in: instances, now: facts.now, settings: facts.analysisSettings)
        let rows = ReplicationAnalyzer.analyze(
            AnalysisSnapshot(
                instances: failedTopology, downtimes: facts.downtimes, now: facts.now, settings: facts.analysisSettings,
                staleBinlogSince: [:]))
        guard let row = rows.first(where: { $0.analyzedInstanceKey == key }) else { throw UnknownInstance(key: key) }
        let settings = decider.settings

        var report = WhatIfReport(
            failedInstance: key, analysis: row.analysis.rawValue, analysisDescription: row.description,
            recoveryAllowed: false, gate: "", policyFilter: "not defined", builtInRanking: [], excluded: [],
            policyRanking: nil, policyReasons: [], chosenCandidate: nil, successor: nil, followers: [],
            lostReplicas: [], steps: [], refusal: nil, hooks: [], policyHash: decider.policy.contentHash, audit: [])

        let gate = RecoveryGate.check(
            RecoveryGate.Facts(
                isLeader: true, recoveriesEnabled: facts.recoveriesEnabled, analysis: row.analysis,
                cluster: row.clusterDetails.clusterName, clusterAlias: row.clusterDetails.clusterAlias,
                isDowntimed: row.skippableDueToDowntime, recoveries: facts.pastRecoveries,
                blockSeconds: TimeInterval(settings.blockSeconds), masterFilter: settings.masterFilter,
                intermediateMasterFilter: settings.intermediateMasterFilter, now: facts.now, failedKey: key))
        var gateAllows = false
        switch gate {
        case .proceed:
            report.gate = "allowed"
            gateAllows = true
        case .refused(let reason, _):
            report.gate = reason
        }
        if decider.policy.policy?.defines(.filter) == true || decider.policy.loadError != nil {
            let filter = decider.filter(row)
            report.policyFilter = filter.proceed ? "allowed" : (filter.reason ?? "refused")
            report.audit += filter.audit
            gateAllows = gateAllows && filter.proceed
        }
        report.recoveryAllowed = gateAllows

        guard let kind = RecoveryRequest.planKind(for: row.analysis) else {
            report.refusal = "Baton has no recovery for \(row.analysis.rawValue)"
            return report
        }
        let downtimed = Set(facts.downtimes.filter { $0.isActive(at: facts.now) }.map(\.key))
        let context = PolicyContext(
            now: facts.now, cluster: row.clusterDetails.clusterName, analysis: PolicyAnalysis(row),
            node: facts.nodeName, values: ["recovery_uid": "what-if", "command": "what-if"])
        let decision = decider.plan(
            failed: key, kind: kind, instances: failedTopology, downtimed: downtimed, context: context)
        report.audit += decision.audit
        if let ranking = decision.builtInRanking {
            report.builtInRanking = ranking.ranked.map {
                WhatIfReport.Candidate(key: $0.key, reason: $0.notes.joined(separator: ", "))
            }
            report.excluded = ranking.excluded.sorted { $0.key < $1.key }.map {
                WhatIfReport.Candidate(key: $0.key, reason: $0.value)
            }
        }
        report.policyRanking = decision.policyOrder
        report.policyReasons = decision.policyReasons.sorted { $0.key < $1.key }.map {
            WhatIfReport.Candidate(key: $0.key, reason: $0.value)
        }
        report.refusal = decision.refusal
        if let plan = decision.plan {
            report.chosenCandidate = plan.candidate
            report.successor = plan.successor
            report.followers = plan.followers
            report.lostReplicas = plan.lost.map { WhatIfReport.Candidate(key: $0.key, reason: $0.reason) }
            report.steps = plan.steps.map(\.description)
            let pre = decider.preFailover(plan: plan, instances: failedTopology, downtimed: downtimed, context: context)
            report.audit += pre.audit
            if !pre.proceed { report.refusal = pre.reason }
        }

        let succeeds = report.refusal == nil && decision.plan != nil
        var phases: [HookPhase] = [.onFailureDetection]
        if decision.plan != nil { phases += kind == .deadPrimary ? [.preFailover, .preFailoverFencing] : [.preFailover] }
        if succeeds {
            phases += [kind == .deadPrimary ? .postMasterFailover : .postIntermediateMasterFailover, .postFailover]
        }
        for phase in phases where !settings.hooks[phase].isEmpty {
            report.hooks.append(WhatIfReport.HookPlan(phase: phase.configurationKey, hooks: settings.hooks[phase].map(\.description)))
        }
        return report
    }

    /// The topology as the probes would see it once `key` stops answering: its last check fails, and its direct
    /// replicas' IO threads fail to connect to it.
    public static func simulateFailure(
        of key: InstanceKey, in instances: [Instance], now: Date, settings: AnalysisSettings
    ) -> [Instance] {
        instances.map { instance in
            var instance = instance
            if instance.key == key {
                let stale = TimeInterval(settings.pollSeconds + settings.reasonableCheckSeconds + 60)
                instance.lastSeen = now.addingTimeInterval(-stale)
                instance.lastChecked = now
                instance.lastAttempted = now
                instance.lastError = "what-if: \(key) does not answer"
            } else if instance.sourceKey == key, var replication = instance.facts.replication {
                replication.ioThread = .other
                replication.ioState = "Connecting to master"
                replication.lastIOErrorNumber = 2003
                replication.lastIOError =
                    "error reconnecting to master '\(key)' - retry-time: 60  maximum-retries: 86400  message: "
                    + "Can't connect to server on '\(key.hostname)' (111 \"Connection refused\")"
                // A replica without a running IO thread reports no lag (Seconds_Behind_Master is NULL).
                replication.secondsBehindSource = nil
                instance.facts.replication = replication
            }
            return instance
        }
    }
}
