import ArgumentParser
import BatonClient
import BatonCore
import Foundation

/// `baton recover -i host[:port] [--candidate host[:port]] [--lite]`: prints the promoted instance.
struct RecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "Recover a failed primary or intermediate primary now.",
        discussion: "Ignores the global switch, downtime and cluster filters (never a running recovery). "
            + ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions
    @Option(help: ArgumentHelp("The replica to promote.", valueName: "host[:port]")) var candidate: String?
    @Flag(help: "Run no hooks (recover-lite).") var lite = false

    func run() async throws {
        let key = try target.key()
        let candidateKey = try candidate.map { try InstanceOptions.parseKey($0, defaultPort: target.defaultPort) }
        try await ClientCommandRunner.run(api) { client in
            print(try await client.recover(key, candidate: candidateKey, lite: lite).description)
        }
    }
}

/// `baton force-master-failover -c cluster`: prints the new primary.
struct ForceMasterFailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force-master-failover", abstract: "Fail over a cluster's primary, whatever its state.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var cluster: ClusterHintOptions

    func run() async throws {
        let hint = try cluster.hint()
        try await ClientCommandRunner.run(api) { client in
            printSuccessor(try await client.forceMasterFailover(hint))
        }
    }
}

/// `baton graceful-master-takeover -c cluster [--designated host[:port]] [--auto]`: prints the new primary.
struct GracefulMasterTakeoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graceful-master-takeover",
        abstract: "Hand a healthy cluster's primary role to one of its replicas without losing a transaction.",
        discussion: "The old primary becomes a replica of the new one; --auto also starts its replication. "
            + ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var cluster: ClusterHintOptions
    @Option(help: ArgumentHelp("The replica to promote.", valueName: "host[:port]")) var designated: String?
    @Flag(help: "Choose the replica if none is designated, and start the old primary's replication.") var auto = false

    func run() async throws {
        let hint = try cluster.hint()
        let designatedKey = try designated.map { try InstanceOptions.parseKey($0, defaultPort: cluster.defaultPort) }
        try await ClientCommandRunner.run(api) { client in
            printSuccessor(try await client.gracefulMasterTakeover(hint, designated: designatedKey, auto: auto))
        }
    }
}

/// Prints a document as pretty JSON with sorted keys (the `--json` form of the recovery commands).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func printSuccessor(_ recovery: TopologyRecoveryDocument) {
    print(recovery.successorKey?.description ?? "")
}

/// `baton audit-recovery [-c cluster | --id N | --uid U] [--unacknowledged] [--active]`: one line per recovery.
struct AuditRecoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-recovery", abstract: "List recoveries, newest first.",
        discussion: "Each line: id uid started ended failed-instance analysis → successor, result, acknowledgement. "
            + ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @Option(name: [.customShort("c"), .long], help: "Only this cluster.") var cluster: String?
    @Option(help: "Only the recovery with this id.") var id: Int64?
    @Option(help: "Only the recovery with this uid.") var uid: String?
    @Flag(help: "Only unacknowledged recoveries.") var unacknowledged = false
    @Flag(help: "Only running recoveries of the cluster (active-cluster-recovery; needs -c).") var active = false
    @Flag(help: "Print the JSON documents.") var json = false

    func validate() throws {
        if [cluster != nil, id != nil, uid != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of -c, --id and --uid")
        }
        if active && cluster == nil { throw ValidationError("--active needs -c") }
    }

    func run() async throws {
        try await ClientCommandRunner.run(api) { client in
            let recoveries: [TopologyRecoveryDocument]
            if active, let cluster {
                recoveries = try await client.activeClusterRecovery(cluster)
            } else {
                let scope: [String] =
                    if let cluster { ["cluster", cluster] } else if let id { ["id", String(id)] } else if let uid {
                        ["uid", uid]
                    } else { [] }
                recoveries = try await client.auditRecovery(scope, unacknowledged: unacknowledged)
            }
            if json {
                try printJSON(recoveries)
                return
            }
            for recovery in recoveries {
                let failed = recovery.analysisEntry.map { "\($0.analyzedInstanceKey) \($0.analysis.rawValue)" } ?? "?"
                let result =
                    recovery.recoveryEndTimestamp.isEmpty
                    ? "running" : recovery.isSuccessful ? "successful" : recovery.isAttempted ? "failed" : "not attempted"
                print(
                    "\(recovery.id) \(recovery.uid) \(recovery.recoveryStartTimestamp) "
                        + "\(recovery.recoveryEndTimestamp.isEmpty ? "-" : recovery.recoveryEndTimestamp) \(failed) → "
                        + "\(recovery.successorKey?.description ?? "-") \(result)"
                        + (recovery.acknowledged ? " acknowledged by \(recovery.acknowledgedBy)" : ""))
            }
        }
    }
}

/// `baton audit-recovery-steps --uid U`: the recovery's audit trail.
struct AuditRecoveryStepsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-recovery-steps", abstract: "Print a recovery's audit trail.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @Option(help: "The recovery's uid.") var uid: String

    func run() async throws {
        try await ClientCommandRunner.run(api) { client in
            for step in try await client.auditRecoverySteps(uid) { print("\(step.auditAt) \(step.message)") }
        }
    }
}

/// `baton blocked-recoveries [-c cluster]`: failures whose automatic recovery was refused, and why.
struct BlockedRecoveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocked-recoveries", abstract: "List refused automatic recoveries and why.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @Option(name: [.customShort("c"), .long], help: "Only this cluster.") var cluster: String?

    func run() async throws {
        try await ClientCommandRunner.run(api) { client in
            for blocked in try await client.blockedRecoveries(cluster) {
                print("\(blocked.failedInstanceKey) (cluster \(blocked.clusterName)): \(blocked.analysis): \(blocked.reason)")
            }
        }
    }
}

/// `baton ack-recovery (--all | -c cluster | -i host[:port] | --id N | --uid U) --comment C`.
struct AcknowledgeRecoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack-recovery", abstract: "Acknowledge recoveries, so they no longer block their cluster.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @Flag(help: "Every recovery (ack-all-recoveries).") var all = false
    @Option(name: [.customShort("c"), .long], help: "The recoveries of this cluster.") var cluster: String?
    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("The recoveries of this instance.", valueName: "host[:port]"))
    var instance: String?
    @Option(help: "The recovery with this id.") var id: Int64?
    @Option(help: "The recovery with this uid.") var uid: String?
    @Option(name: [.customShort("r"), .long], help: "Why (required).") var comment: String

    func validate() throws {
        let given = [all, cluster != nil, instance != nil, id != nil, uid != nil].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --all, -c, -i, --id and --uid") }
        guard !comment.isEmpty else { throw ValidationError("--comment must not be empty") }
    }

    func run() async throws {
        let scope: [String]
        if let cluster {
            scope = ["cluster", cluster]
        } else if let instance {
            scope = ["instance"] + (try InstanceOptions.parseKey(instance, defaultPort: 3306)).pathSegmentsForCLI
        } else if let id {
            scope = [String(id)]
        } else if let uid {
            scope = ["uid", uid]
        } else {
            scope = []
        }
        try await ClientCommandRunner.run(api) { client in
            print(try await client.acknowledgeRecoveries(scope, comment: comment))
        }
    }
}

extension InstanceKey {
    var pathSegmentsForCLI: [String] { [hostname, String(port)] }
}

/// `baton what-if -i host[:port]`: what a recovery would do if that instance failed now.
struct WhatIfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "what-if", abstract: "Show what Baton would do if an instance failed now (changes nothing).",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions
    @Flag(help: "Print the JSON document.") var json = false

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            let report = try await client.whatIf(key)
            if json {
                try printJSON(report)
            } else {
                print(report.text, terminator: "")
            }
        }
    }
}
