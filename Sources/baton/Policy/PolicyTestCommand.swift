import ArgumentParser
import BatonCore
import BatonEngine
import Foundation

/// `baton policy test POLICY --snapshot FILE --fail host:port [--config FILE]`: a dry run of a Lua policy against a
/// saved topology, offline.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with Lua recovery policies.", subcommands: [PolicyTestCommand.self])
}

struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Show what a recovery would decide with this policy if an instance of a saved topology failed.",
        discussion: """
            FILE is a snapshot as GET /api/all-instances returns it ("-" reads standard input). The instance of \
            --fail is treated as unreachable and its replicas as unable to connect to it; the report shows the \
            verdict, whether the filters allow an automatic recovery, the built-in ranking, the policy's ranking \
            and reasons, the chosen candidate, the replicas that would be lost, the steps and the hooks that would \
            run. No server is contacted. --config takes filters, promotion constraints, hooks and PolicyFailureMode \
            from a Baton configuration file (its PolicyScript is replaced by POLICY). \
            Exit status: 0 when the report was printed, 1 for an unreadable snapshot or configuration, 2 when the \
            policy failed to load (the report then shows the fallback), 64 for a usage error.
            """)

    @Argument(help: ArgumentHelp("The Lua policy file.", valueName: "POLICY")) var policy: String
    @Option(help: ArgumentHelp("The topology snapshot.", valueName: "FILE")) var snapshot: String
    @Option(help: ArgumentHelp("The instance that fails.", valueName: "host:port")) var fail: String
    @Option(help: ArgumentHelp("A Baton configuration file.", valueName: "FILE")) var config: String?
    @Flag(help: "Print the JSON report.") var json = false

    func run() throws {
        let configuration: BatonConfiguration
        do {
            configuration = try config.map { try BatonConfiguration.load(path: $0) } ?? BatonConfiguration.parse(Data("{}".utf8))
        } catch {
            AnalyzeCommand.fail("\(error)")
            throw ExitCode(1)
        }
        let failed = try InstanceOptions.parseKey(fail, defaultPort: configuration.discovery.defaultInstancePort)
        let now = Date()
        let test = OfflinePolicyTest(configuration: configuration, policyPath: policy)
        let instances: [Instance]
        do {
            instances = try test.instances(fromSnapshot: try AnalyzeCommand.read(snapshot), now: now)
        } catch {
            AnalyzeCommand.fail("\(snapshot): \(error)")
            throw ExitCode(1)
        }
        let report: WhatIfReport
        do {
            report = try test.run(failing: failed, instances: instances, now: now)
        } catch {
            AnalyzeCommand.fail("\(error)")
            throw ExitCode(1)
        }
        if json {
            try printJSON(report)
        } else {
            print(report.text, terminator: "")
        }
        if let error = test.policy.loadError {
            AnalyzeCommand.fail(error)
            throw ExitCode(2)
        }
    }
}
