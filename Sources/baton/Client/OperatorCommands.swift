import ArgumentParser
import BatonClient
import BatonCore

/// `baton begin-downtime -i host[:port] --owner O --reason R [--duration 1h]`: prints the key downtimed.
struct BeginDowntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "begin-downtime", abstract: "Downtime an instance (its analysis is then skippable).",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions
    @Option(help: "Who downtimes it.") var owner: String
    @Option(help: "Why.") var reason: String
    @Option(help: "How long: 30s, 10m, 2h, 1d, 1h30m (default 10m).") var duration: String?

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            print(try await client.beginDowntime(key, owner: owner, reason: reason, duration: duration).description)
        }
    }
}

/// `baton end-downtime -i host[:port]`: prints the key.
struct EndDowntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end-downtime", abstract: "End an instance's downtime.", discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            print(try await client.endDowntime(key).description)
        }
    }
}

/// `baton downtimed`: prints each downtimed instance's key.
struct DowntimedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "downtimed", abstract: "List downtimed instances.", discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions

    func run() async throws {
        try await ClientCommandRunner.run(api) { client in
            for instance in try await client.downtimed() { print(instance.key.description) }
        }
    }
}

/// `baton register-candidate -i host[:port] --promotion-rule prefer`: prints the key.
struct RegisterCandidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register-candidate", abstract: "Register an instance's promotion rule.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions
    @Option(name: [.customShort("R"), .long], help: "prefer, neutral, prefer_not or must_not.")
    var promotionRule: String

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            print(try await client.registerCandidate(key, rule: promotionRule).description)
        }
    }
}

/// `baton enable-global-recoveries` / `disable-global-recoveries` / `check-global-recoveries`: prints the state.
struct GlobalRecoveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "global-recoveries", abstract: "Check, enable or disable automated recoveries everywhere.",
        discussion: ClientExitCode.discussion)

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case check, enable, disable
    }

    @OptionGroup var api: APIOptions
    @Argument(help: "check, enable or disable.") var action: Action = .check

    func run() async throws {
        let path: APIPath =
            switch action {
            case .check: .checkGlobalRecoveries
            case .enable: .enableGlobalRecoveries
            case .disable: .disableGlobalRecoveries
            }
        try await ClientCommandRunner.run(api) { client in
            print(try await client.globalRecoveries(path))
        }
    }
}

/// `baton replication-analysis`: the server's verdicts as `host:port (cluster NAME): Code` lines, as
/// orchestrator-client prints them (downtimed rows left out unless `--include-downtimed`).
struct ReplicationAnalysisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replication-analysis", abstract: "Print the current failure analysis.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @Flag(help: "Also print rows skippable because of downtime.") var includeDowntimed = false

    func run() async throws {
        try await ClientCommandRunner.run(api) { client in
            let rows = try await client.replicationAnalysis()
            print(OfflineAnalysis.text(rows, includeDowntimed: includeDowntimed), terminator: "")
        }
    }
}
