import BatonCore
import BatonStore
import Foundation
import Logging

/// Applies `BatonCommand`s to this node's SQLite and in-memory state. Deterministic: the same commands in the same
/// order give every node the same replicated tables.
public final class BatonCommandApplier: Sendable {
    let database: BatonDatabase
    let controls: OperatorControls
    let monitor: TopologyMonitor
    let logger: Logger

    public init(database: BatonDatabase, controls: OperatorControls, monitor: TopologyMonitor, logger: Logger) {
        self.database = database
        self.controls = controls
        self.monitor = monitor
        self.logger = logger
    }

    /// Applies one command. Failures that every node would meet alike (nothing to end) are results; a store that
    /// cannot be written throws (a Raft node then stops rather than skip an entry).
    /// - Parameter index: the Raft log index of the entry, which becomes the id of the recovery, step or detection
    ///   it registers, so every node numbers rows alike; `nil` on a single node, whose store numbers them (the
    ///   largest id + 1, in the transaction that writes the row).
    public func apply(_ command: BatonCommand, index: Int64?) throws(StoreError) -> BatonCommandResult {
        let id = index ?? 0
        switch command {
        case .discover(let key):
            monitor.discoverInBackground([key])
            return BatonCommandResult(count: 1)
        case .forget(let key):
            return BatonCommandResult(count: monitor.forget(key) ? 1 : 0)
        case .forgetCluster(let cluster):
            let members = monitor.registry.all().filter { $0.clusterName == cluster }.map(\.key)
            return BatonCommandResult(count: members.filter { monitor.forget($0) }.count)
        case .registerDetection(var detection):
            // One detection per active period: an earlier one still in force is the answer, and this one is dropped.
            detection.id = id
            let (stored, isNew) = try database.registerDetection(detection)
            return BatonCommandResult(count: isNew ? 1 : 0, detection: stored)
        case .beginDowntime(let downtime, let beginsAt):
            try controls.applyDowntime(downtime, beginsAt: beginsAt)
            return BatonCommandResult(count: 1)
        case .endDowntime(let key, let at):
            return BatonCommandResult(count: try controls.endDowntime(key, now: at) ? 1 : 0)
        case .registerCandidate(let registration):
            try controls.applyCandidate(registration)
            return BatonCommandResult(count: 1)
        case .setRecoveriesEnabled(let enabled):
            try controls.setRecoveriesEnabled(enabled)
            return BatonCommandResult(count: 1)
        case .registerRecovery(var record, let rules):
            record.id = id
            switch try database.registerRecovery(record, rules: rules) {
            case .registered(let stored):
                return BatonCommandResult(recovery: stored, count: 1)
            case .clusterLocked(let holder):
                return BatonCommandResult(
                    lockedBy: holder, refusal: "recovery \(holder.id) of \(holder.clusterName) is still running",
                    blockingRecovery: holder)
            case .refused(let reason, let blocking):
                return BatonCommandResult(refusal: reason, blockingRecovery: blocking)
            }
        case .recoveryStep(var step):
            step.id = id
            try database.appendRecoveryStep(step)
            return BatonCommandResult(count: 1)
        case .markExecuting(let uid, let at):
            guard try database.markRecoveryExecuting(uid: uid, at: at) else {
                return BatonCommandResult(count: 0, error: "recovery \(uid) is not running")
            }
            return BatonCommandResult(count: 1)
        case .resolveRecovery(let uid, let resolution):
            guard try database.resolveRecovery(uid: uid, resolution) else {
                return BatonCommandResult(count: 0, error: "recovery \(uid) is not running: its resolution stands")
            }
            return BatonCommandResult(count: 1)
        case .acknowledgeRecoveries(let scope, let owner, let comment, let at):
            return BatonCommandResult(
                count: try database.acknowledgeRecoveries(scope, by: owner, comment: comment, at: at))
        case .leaderAPI(let node, let url):
            try database.saveSetting(Self.leaderAPISetting, "\(node) \(url)")
            try database.saveSetting(Self.nodeAPISettingPrefix + "\(node)", url)
            return BatonCommandResult(count: 1)
        case .nodeAPI(let node, let url):
            try database.saveSetting(Self.nodeAPISettingPrefix + "\(node)", url)
            return BatonCommandResult(count: 1)
        }
    }

    static let leaderAPISetting = "raft_leader_api"
    static let nodeAPISettingPrefix = "raft_node_api."

    /// The API a node published (`nodeAPI`, or `leaderAPI` when it led), by node id.
    public func publishedNodeAPI(_ node: UInt64) -> String? {
        (try? database.loadSetting(Self.nodeAPISettingPrefix + "\(node)")) ?? nil
    }

    /// The leader API last published, as (node id, URL).
    public func publishedLeaderAPI() -> (node: UInt64, url: String)? {
        guard let text = try? database.loadSetting(Self.leaderAPISetting) else { return nil }
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let node = UInt64(parts[0]) else { return nil }
        return (node, String(parts[1]))
    }

    /// The replicated state, for a Raft snapshot.
    public func snapshot() throws(StoreError) -> ReplicatedState {
        var state = try database.replicatedState()
        state.instances = monitor.registry.all().map(\.key).sorted()
        return state
    }

    /// Replaces the replicated state with a snapshot's: the tables, the operator controls, the watched instances.
    public func restore(_ state: ReplicatedState) throws(StoreError) {
        try database.restoreReplicatedState(state)
        try controls.reload()
        let wanted = Set(state.instances)
        for instance in monitor.registry.all() where !wanted.contains(instance.key) {
            _ = monitor.forget(instance.key)
        }
        monitor.discoverInBackground(state.instances.filter { !monitor.registry.contains($0) })
        logger.notice(
            "Replicated state restored from a snapshot",
            metadata: ["baton.recoveries": "\(state.recoveries.count)", "baton.instances": "\(state.instances.count)"])
    }
}
