import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// The daemon and its CLI as an operator meets them: restarts, exit codes, secrets, bad configuration.
@Suite(.serialized) struct DaemonLifecycleTests {
    func settings(_ sandbox: MariaDBSandbox, debug: Bool = false) -> [String: any Sendable] {
        sandbox.batonSettings.merging(["Debug": debug]) { $1 }
    }

    @Test func dataSurvivesARestartAndTheCLIWorksAgainstTheRealDaemon() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:2")
        defer { sandbox.tearDown() }
        let first = try BatonDaemon(configuration: settings(sandbox, debug: true))
        defer { first.tearDown() }
        let api = APICaller(base: first.apiURL)
        try #require(await api.waitUntilUp(), "\(first.log())")

        let discover = try first.cli(["discover", "-i", sandbox.key(2).description])
        #expect(discover.status == 0, "\(discover.stderr)")
        #expect(discover.stdout == "\(sandbox.key(2))\n")
        let (_, crawled) = try await api.poll([InstanceDocument].self, "all-instances") { all in
            all.count == 3 && all.allSatisfy(\.isLastCheckValid)
        }
        #expect(crawled, "\(first.log())")

        let master = try first.cli(["which-cluster-master", "-i", sandbox.key(3).description])
        #expect(master.status == 0 && master.stdout == "\(sandbox.key(1))\n", "\(master)")
        let topology = try first.cli(["topology", "-i", sandbox.key(3).description])
        #expect(topology.status == 0)
        #expect(topology.stdout.split(separator: "\n").count == 3)
        #expect(topology.stdout.contains("\n  + \(sandbox.key(3)) "), "\(topology.stdout)")
        let clusters = try first.cli(["clusters"])
        #expect(clusters.stdout == "\(sandbox.key(1))\n")
        // Operator commands.
        let downtime = try first.cli([
            "begin-downtime", "-i", sandbox.key(3).description, "--owner", "ops", "--reason", "disk swap", "--duration", "1h",
        ])
        #expect(downtime.status == 0 && downtime.stdout == "\(sandbox.key(3))\n", "\(downtime)")
        #expect(try first.cli(["downtimed"]).stdout == "\(sandbox.key(3))\n")
        #expect(try first.cli(["end-downtime", "-i", sandbox.key(3).description]).status == 0)
        #expect(try first.cli(["downtimed"]).stdout == "")
        let candidate = try first.cli(["register-candidate", "-i", sandbox.key(2).description, "-R", "prefer"])
        #expect(candidate.status == 0, "\(candidate)")
        #expect(try first.cli(["global-recoveries", "disable"]).stdout == "disabled\n")
        #expect(try first.cli(["global-recoveries"]).stdout == "disabled\n")
        #expect(try first.cli(["global-recoveries", "enable"]).stdout == "enabled\n")
        let analysis = try first.cli(["replication-analysis"])
        #expect(analysis.status == 0 && analysis.stdout.isEmpty, "a healthy topology has nothing to report: \(analysis)")

        let unknown = try first.cli(["instance", "-i", "127.0.0.1:1"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("baton: "))
        let unreachable = try first.cli(["clusters"], api: "http://127.0.0.1:1")
        #expect(unreachable.status == 3, "\(unreachable)")
        let usage = try first.cli(["instance", "-i", "host:notaport"])
        #expect(usage.status == 64, "\(usage)")

        // A graceful stop writes everything; a new daemon on the same file knows the topology before probing.
        #expect(first.terminate() == 0)
        #expect(!first.log().contains(sandbox.password), "the password leaked into the log")
        try sandbox.kill(1)
        try sandbox.kill(2)
        try sandbox.kill(3)
        let second = try BatonDaemon(configuration: settings(sandbox), directory: first.directory, port: first.port)
        defer { second.terminate() }
        let restarted = APICaller(base: second.apiURL)
        try #require(await restarted.waitUntilUp(), "\(second.log())")
        let remembered = try await restarted.decode([InstanceDocument].self, "all-instances")
        #expect(Set(remembered.map(\.key)) == Set((1...3).map(sandbox.key)))
        #expect(remembered.first { $0.key == sandbox.key(3) }?.masterKey == sandbox.key(2))
        // With every server dead, the restarted node soon reports each one as not valid.
        let (_, invalid) = try await restarted.poll([InstanceDocument].self, "all-instances") { all in
            all.count == 3 && all.allSatisfy { !$0.isLastCheckValid }
        }
        #expect(invalid)
    }

    @Test func invalidConfigurationStopsStartUpNamingTheKey() throws {
        let daemon = try BatonDaemon(configuration: ["InstancePollSeconds": "often"])
        defer { daemon.tearDown() }
        let status = daemon.waitForExit(timeout: 30)
        #expect(status == 78, "\(daemon.log())")
        #expect(daemon.log().contains("InstancePollSeconds"))
    }

    @Test func unknownKeysAreWarnedAboutOnce() async throws {
        let daemon = try BatonDaemon(configuration: ["PseudoGTIDPattern": "drop view", "SomeFutureKey": 1])
        defer { daemon.tearDown() }
        try #require(await APICaller(base: daemon.apiURL).waitUntilUp(), "\(daemon.log())")
        let log = daemon.log()
        #expect(log.components(separatedBy: "SomeFutureKey").count == 2)
        #expect(log.contains("PseudoGTIDPattern"))
    }

    @Test func basicAuthenticationOnTheRealDaemonAndTheCLI() async throws {
        let daemon = try BatonDaemon(configuration: [
            "AuthenticationMethod": "basic", "HTTPAuthUser": "ops", "HTTPAuthPassword": "s3cret-pw",
        ])
        defer { daemon.tearDown() }
        // lb-check stays open for load balancers, so the daemon can be seen up without credentials.
        try #require(await APICaller(base: daemon.apiURL).waitUntilUp(), "\(daemon.log())")
        let (status, _) = try await APICaller(base: daemon.apiURL).get("clusters")
        #expect(status == 401)

        let refused = try daemon.cli(["clusters"])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("Unauthorized"))
        let wrong = try daemon.cli(["clusters"], environment: ["BATON_AUTH_USER": "ops", "BATON_AUTH_PASSWORD": "nope"])
        #expect(wrong.status == 1)
        let accepted = try daemon.cli(
            ["global-recoveries", "disable"], environment: ["BATON_AUTH_USER": "ops", "BATON_AUTH_PASSWORD": "s3cret-pw"])
        #expect(accepted.status == 0 && accepted.stdout == "disabled\n", "\(accepted)")
        #expect(!daemon.log().contains("s3cret-pw"), "the API password leaked into the log")
    }
}
