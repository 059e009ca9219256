import BatonCore
import Foundation

/// A small DSL to write analysis test topologies as sketches:
///
///     [.primary(1).dead, .replica(2, of: 1).failingToConnect, .replica(3, of: 1).stopped]
///
/// Every instance starts healthy: MariaDB 10.11, checked successfully at `AnalysisSketch.seen`, binary log on with
/// log_slave_updates and ROW format; replicas replicate with GTID and no lag. Modifiers change one fact each.
struct Node: Sendable {
    var instance: Instance
    var isDowntimed = false
    /// Seconds the binlog coordinates have stood still at analysis time.
    var staleBinlogSeconds: Int?

    static func primary(_ port: Int) -> Node {
        var instance = Instance(key: AnalysisSketch.key(port))
        instance.lastAttempted = AnalysisSketch.seen
        instance.lastChecked = AnalysisSketch.seen
        instance.lastSeen = AnalysisSketch.seen
        instance.facts.serverID = UInt32(port)
        instance.facts.version = ServerVersion(parsing: "10.11.6-MariaDB-log")
        instance.facts.logBinEnabled = true
        instance.facts.logReplicaUpdatesEnabled = true
        instance.facts.binlogFormat = "ROW"
        instance.facts.binlogFile = "mysql-bin.000001"
        instance.facts.binlogPosition = 4
        return Node(instance: instance)
    }

    static func replica(_ port: Int, of source: Int) -> Node {
        var node = primary(port)
        node.instance.sourceKey = AnalysisSketch.key(source)
        node.instance.facts.replication = ReplicationStatus(
            sourceKey: AnalysisSketch.key(source), ioThread: .running, sqlThread: .running, secondsBehindSource: 0,
            usingGTID: "Slave_Pos")
        return node
    }

    private func with(_ change: (inout Instance) -> Void) -> Node {
        var node = self
        change(&node.instance)
        return node
    }

    private func replication(_ change: (inout ReplicationStatus) -> Void) -> Node {
        with { instance in
            guard var replication = instance.facts.replication else { return }
            change(&replication)
            instance.facts.replication = replication
        }
    }

    /// Unreachable: the last probe failed after the last success.
    var dead: Node {
        with {
            $0.lastAttempted = AnalysisSketch.seen.addingTimeInterval(1)
            $0.lastChecked = AnalysisSketch.seen.addingTimeInterval(1)
        }
    }
    /// Unreachable, but the probe connected and read identity before failing.
    var partial: Node { dead.with { $0.isLastCheckPartial = true } }
    /// Both replication threads stopped.
    var stopped: Node { replication { $0.ioThread = .stopped; $0.sqlThread = .stopped; $0.secondsBehindSource = nil } }
    /// IO thread stopped without a connect error, SQL thread running.
    var ioStopped: Node { replication { $0.ioThread = .stopped; $0.secondsBehindSource = nil } }
    /// MariaDB's IO thread retrying a source that is gone.
    var failingToConnect: Node {
        failingToConnect("error reconnecting to master 'repl@127.0.0.1:1' - retry-time: 1  maximum-retries: 86400")
    }
    func failingToConnect(_ error: String) -> Node {
        replication {
            $0.ioThread = .other
            $0.lastIOErrorNumber = 2003
            $0.lastIOError = error
            $0.secondsBehindSource = nil
        }
    }
    func lagging(_ seconds: Int = 60) -> Node { replication { $0.secondsBehindSource = seconds } }
    func delayed(_ seconds: Int = 3600) -> Node { replication { $0.sqlDelaySeconds = seconds } }
    /// Replicates by binlog file and position rather than GTID.
    var positional: Node { replication { $0.usingGTID = "No" } }
    var readOnly: Node { with { $0.facts.readOnly = true } }
    var downtimed: Node {
        var node = self
        node.isDowntimed = true
        return node
    }
    var noLogging: Node { with { $0.facts.logReplicaUpdatesEnabled = false } }
    func binlog(_ format: String) -> Node { with { $0.facts.binlogFormat = format } }
    func version(_ raw: String) -> Node { with { $0.facts.version = ServerVersion(parsing: raw) } }
    func gtidMode(_ mode: String) -> Node { with { $0.facts.gtidMode = mode } }
    /// MySQL 8.0 with GTID: `gtid_mode=ON`, auto-position for replicas, the given server UUID and executed set.
    func mysql(uuid: String, executed: String) -> Node {
        with {
            $0.facts.version = ServerVersion(parsing: "8.0.36")
            $0.facts.gtidMode = "ON"
            $0.facts.serverUUID = uuid
            $0.facts.executedGTIDSet = executed
        }.replication { $0.usingGTID = "AutoPosition" }
    }
    func mariaDBPosition(_ position: String) -> Node { with { $0.facts.executedGTIDSet = position } }
    func semiSync(waitFor: Int, clients: Int, on: Bool = true) -> Node {
        with {
            $0.facts.semiSync.available = true
            $0.facts.semiSync.sourceEnabled = true
            $0.facts.semiSync.sourceStatus = on
            $0.facts.semiSync.sourceWaitForReplicaCount = waitFor
            $0.facts.semiSync.sourceClients = clients
        }
    }
    func binlogStale(for seconds: Int) -> Node {
        var node = self
        node.staleBinlogSeconds = seconds
        return node
    }
    func dataCenter(_ name: String) -> Node { with { $0.dataCenter = name } }
}

enum AnalysisSketch {
    static let seen = Date(timeIntervalSince1970: 1_700_000_000)
    static let now = seen.addingTimeInterval(2)
    static let downtimeEnd = now.addingTimeInterval(3600)

    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "127.0.0.1", port: port) }

    static func snapshot(_ nodes: [Node], settings: AnalysisSettings = AnalysisSettings()) -> AnalysisSnapshot {
        .resolving(
            nodes.map(\.instance),
            downtimes: nodes.filter(\.isDowntimed).map {
                Downtime(key: $0.instance.key, owner: "test", reason: "maintenance", endsAt: downtimeEnd)
            },
            now: now, settings: settings,
            staleBinlogSince: Dictionary(
                uniqueKeysWithValues: nodes.compactMap { node in
                    node.staleBinlogSeconds.map { (node.instance.key, now.addingTimeInterval(-Double($0))) }
                }))
    }

    static func analyze(_ nodes: [Node], settings: AnalysisSettings = AnalysisSettings()) -> [ReplicationAnalysis] {
        ReplicationAnalyzer.analyze(snapshot(nodes, settings: settings))
    }

    /// The row of `port`, or `nil` when the instance was not analysed.
    static func row(_ port: Int, in nodes: [Node], settings: AnalysisSettings = AnalysisSettings())
        -> ReplicationAnalysis?
    {
        analyze(nodes, settings: settings).first { $0.analyzedInstanceKey == key(port) }
    }
}
