import BatonCore
import Foundation

@testable import BatonPolicy

enum Fixtures {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func examplePolicy(_ name: String) throws -> Policy {
        try Policy(contentsOfFile: repositoryRoot.appendingPathComponent("policies/\(name)").path)
    }

    static func instance(
        _ host: String, port: Int = 3306, dataCenter: String = "", region: String = "", lag: Int? = 0,
        sqlDelay: Int = 0, gtid: String = "", cluster: String = "main-db:3306", tags: [String] = []
    ) -> PolicyInstance {
        var instance = Instance(key: InstanceKey(hostname: host, port: port))
        instance.clusterName = cluster
        instance.dataCenter = dataCenter
        instance.region = region
        instance.facts.version = ServerVersion(parsing: "10.11.6-MariaDB-log")
        instance.facts.executedGTIDSet = gtid
        instance.facts.logBinEnabled = true
        instance.facts.logReplicaUpdatesEnabled = true
        instance.facts.binlogFormat = "ROW"
        instance.facts.replication = ReplicationStatus(
            sourceKey: InstanceKey(hostname: "primary", port: 3306), ioThread: .running, sqlThread: .running,
            secondsBehindSource: lag, sqlDelaySeconds: sqlDelay)
        instance.sourceKey = InstanceKey(hostname: "primary", port: 3306)
        instance.replicationDepth = 1
        return PolicyInstance(instance, tags: tags)
    }

    static let failed: PolicyInstance = {
        var instance = Instance(key: InstanceKey(hostname: "primary", port: 3306))
        instance.clusterName = "main-db:3306"
        instance.dataCenter = "dc1"
        instance.region = "eu"
        return PolicyInstance(instance)
    }()

    static let analysis = PolicyAnalysis(
        code: "DeadMaster", key: InstanceKey(hostname: "primary", port: 3306), cluster: "main-db:3306",
        countReplicas: 3, countValidReplicas: 3, countValidReplicatingReplicas: 0)

    /// 2024-06-05 10:00:00 UTC, a Wednesday.
    static let wednesday = Date(timeIntervalSince1970: 1_717_581_600)

    static func context(now: Date = wednesday, cluster: String = "main-db:3306") -> PolicyContext {
        PolicyContext(now: now, cluster: cluster, analysis: analysis, node: "baton-1")
    }

    static let candidates = [instance("r1", dataCenter: "dc2"), instance("r2", dataCenter: "dc1"), instance("r3")]
}
