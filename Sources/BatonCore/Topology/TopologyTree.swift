import Foundation

/// Renders a cluster as orchestrator's indented ASCII tree, one instance per line:
///
///     127.0.0.1:23301     [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]
///     + 127.0.0.1:23302   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
///       + 127.0.0.1:23305 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
///
/// Fields: replication lag, status (`ok`, `nonreplicating`, `unknown` when the last check is not valid), version,
/// `rw`/`ro`, binlog format (`nobinlog` without a binary log), `>>` when replica updates are logged, and the GTID
/// flavour in use.
public enum TopologyTree {
    public static func render(_ instances: [Instance], pollSeconds: Int) -> String {
        let keys = Set(instances.map(\.key))
        var children: [InstanceKey: [Instance]] = [:]
        var roots: [Instance] = []
        for instance in instances {
            if let source = instance.sourceKey, keys.contains(source), source != instance.key, !instance.isCoPrimary {
                children[source, default: []].append(instance)
            } else {
                roots.append(instance)
            }
        }
        var lines: [(prefix: String, instance: Instance)] = []
        var visited: Set<InstanceKey> = []
        func visit(_ instance: Instance, level: Int) {
            guard visited.insert(instance.key).inserted else { return }
            let indent = String(repeating: "  ", count: max(0, level - 1))
            lines.append((level == 0 ? "" : indent + "+ ", instance))
            for child in (children[instance.key] ?? []).sorted(by: { $0.key < $1.key }) {
                visit(child, level: level + 1)
            }
        }
        for root in roots.sorted(by: { ($0.replicationDepth, $0.key) < ($1.replicationDepth, $1.key) }) {
            visit(root, level: 0)
        }
        let labels = lines.map { $0.prefix + $0.instance.key.description }
        let width = labels.map(\.count).max() ?? 0
        return zip(labels, lines).map { label, line in
            label.padding(toLength: width, withPad: " ", startingAt: 0) + " " + details(line.instance, pollSeconds)
        }.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    static func details(_ instance: Instance, _ pollSeconds: Int) -> String {
        let facts = instance.facts
        let valid = instance.isLastCheckValid(pollSeconds: pollSeconds)
        let lag: String
        if instance.isPrimary {
            lag = "0s"
        } else if let seconds = facts.replication?.secondsBehindSource {
            lag = "\(seconds)s"
        } else {
            lag = "null"
        }
        let status = !valid ? "unknown" : (instance.isPrimary || instance.isReplicating ? "ok" : "nonreplicating")
        var fields = [
            lag, status, facts.version?.raw ?? "", facts.readOnly ? "ro" : "rw",
            facts.logBinEnabled ? facts.binlogFormat : "nobinlog",
        ]
        if facts.logBinEnabled && facts.logReplicaUpdatesEnabled { fields.append(">>") }
        if facts.usingMariaDBGTID || facts.usingOracleGTID || (instance.isPrimary && facts.supportsOracleGTID) {
            fields.append("GTID")
        }
        return "[" + fields.joined(separator: ",") + "]"
    }
}

