import BatonCore
import BatonStore
import Foundation

extension RecoveryCoordinator {
    /// `recover/:host/:port[/:candidateHost/:candidatePort]` (and `recover-lite`, without hooks): recovers an
    /// instance the analysis sees as failed, now, ignoring the global switch, downtime and cluster filters as
    /// orchestrator does — but never leadership or a recovery of the cluster still running.
    public func recover(
        _ key: InstanceKey, candidate: InstanceKey? = nil, skipHooks: Bool = false
    ) async -> Result<RecoveryRecord, RecoveryRefusal> {
        guard leadership.isLeader else { return .failure(RecoveryRefusal("this node is not the leader")) }
        guard monitor.registry.contains(key) else { return .failure(RecoveryRefusal("\(key) is not known")) }
        guard let row = detector.analyze().first(where: { $0.analyzedInstanceKey == key }) else {
            return .failure(RecoveryRefusal("\(key) is not failed in a way Baton recovers (analysis: NoProblem)"))
        }
        guard RecoveryRequest.planKind(for: row.analysis) != nil else {
            return .failure(
                RecoveryRefusal("\(key) is not failed in a way Baton recovers (analysis: \(row.analysis.rawValue))"))
        }
        return await manual(
            RecoveryRequest(
                analysis: row, command: skipHooks ? "recover-lite" : "recover", forcedCandidate: candidate,
                skipHooks: skipHooks))
    }

    /// `force-master-failover/:clusterHint`: fails over the cluster's primary whatever its state (it is presented to
    /// policies and hooks as `DeadMaster`, command `force-master-failover`).
    public func forceMasterFailover(cluster: String) async -> Result<RecoveryRecord, RecoveryRefusal> {
        guard leadership.isLeader else { return .failure(RecoveryRefusal("this node is not the leader")) }
        let rows = detector.analyze()
        let primaries = rows.filter { $0.clusterDetails.clusterName == cluster && $0.isMaster && !$0.isCoMaster }
        guard primaries.count == 1, var row = primaries.first else {
            return .failure(
                RecoveryRefusal(
                    primaries.isEmpty
                        ? "cluster \(cluster) has no primary" : "cluster \(cluster) has \(primaries.count) primaries"))
        }
        row.analysis = .deadMaster
        row.isActionableRecovery = true
        row.commandHint = "force-master-failover"
        row.description = "forced failover of \(row.analyzedInstanceKey) by an operator"
        return await manual(RecoveryRequest(analysis: row, command: "force-master-failover"))
    }

    /// `what-if/:host/:port`: what a recovery would do if `key` failed now, decided on the live topology with this
    /// node's settings and policy; no server is touched.
    public func whatIf(_ key: InstanceKey) async throws(RecoveryDryRun.UnknownInstance) -> WhatIfReport {
        let at = now()
        let instances = controls.annotate(monitor.registry.all(), at: at)
        let cluster = instances.first { $0.key == key }?.clusterName ?? ""
        let past = (try? database.recentRecoveries(
            cluster: cluster, successor: key, endedAfter: at.addingTimeInterval(-TimeInterval(configuration.recovery.blockSeconds)))) ?? []
        let facts = RecoveryDryRun.Facts(
            now: at, downtimes: controls.activeDowntimes(at: at), analysisSettings: detector.configuration.analysis,
            recoveriesEnabled: controls.recoveriesEnabled, pastRecoveries: past.compactMap(\.pastRecovery),
            nodeName: leadership.nodeName)
        let decider = self.decider
        let result = await Self.offload { () -> Result<WhatIfReport, RecoveryDryRun.UnknownInstance> in
            do throws(RecoveryDryRun.UnknownInstance) {
                return .success(try RecoveryDryRun.run(failing: key, instances: instances, facts: facts, decider: decider))
            } catch {
                return .failure(error)
            }
        }
        var report = try result.get()
        if let confirmation {
            let isPrimary = instances.first { $0.key == key }?.isPrimary ?? true
            report.confirmation = await confirmation.confirm(
                PeerViewRequest(failed: key, replicas: monitor.replicaKeys(of: key)), isPrimary: isPrimary)
        }
        return report
    }

    /// Runs a manual request in the caller's task, holding the cluster for its duration.
    func manual(_ request: RecoveryRequest) async -> Result<RecoveryRecord, RecoveryRefusal> {
        let cluster = request.analysis.clusterDetails.clusterName
        guard claim(cluster: cluster) else {
            return .failure(RecoveryRefusal("a recovery of \(cluster) is running on this node"))
        }
        defer { release(cluster: cluster) }
        if case .refused(let reason, _) = gate(request.analysis, isManual: true, at: now()) {
            return .failure(RecoveryRefusal(reason))
        }
        return await perform(request)
    }
}
