import BatonCore
import Foundation
import Testing

@testable import BatonHooks

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HookRunnerTests {
    static let hostileHost = "x'; touch PWNED; echo '"

    /// Command strings placing a placeholder in every context the quoting must handle.
    @Test(arguments: [
        "echo {failedHost}", "echo 'host={failedHost}'", #"echo "host={failedHost}""#,
        #"echo "$(echo {failedHost})""#, #"echo "$(echo "{failedHost}")""#, "echo {failedHost}>/dev/null; echo done",
    ])
    func hostileHostnameNeverBecomesShellCode(_ template: String) async throws {
        let directory = try TemporaryDirectory()
        for host in [
            Self.hostileHost.replacing("PWNED", with: directory.file("pwned")),
            "$(touch \(directory.file("pwned")))", "`touch \(directory.file("pwned"))`", "a;touch \(directory.file("pwned"))",
            "\"; touch \(directory.file("pwned")); echo \"",
        ] {
            let result = await Fixtures.runner().run(
                .orchestrator(template), context: Fixtures.context(failedHost: host))
            #expect(result.succeeded, "\(result)")
            #expect(!directory.exists("pwned"), "\(template) with \(host)")
            if !template.contains(">/dev/null") {
                #expect(result.output.text.contains(host), "\(result.output.text)")
            }
        }
    }

    @Test func hostileHostnameInArgvIsOneArgument() async throws {
        let directory = try TemporaryDirectory()
        let script = try directory.script("args", #"printf '%s\n' "$#" "$1" "$2" > "$(dirname "$0")/args.txt""#)
        let host = Self.hostileHost.replacing("PWNED", with: directory.file("pwned")) + " $(touch \(directory.file("pwned")))"
        let result = await Fixtures.runner().run(
            HookSpec(.arguments([script, "{failedHost}", "{failedHost}:{failedPort}"])),
            context: Fixtures.context(failedHost: host))
        #expect(result.succeeded, "\(result)")
        #expect(!directory.exists("pwned"))
        #expect(try directory.read("args.txt") == "2\n\(host)\n\(host):3306\n")
    }

    @Test func scriptReceivesEnvironmentAndJSONDocument() async throws {
        let directory = try TemporaryDirectory()
        let script = try directory.script("facts", """
            env | grep -E '^(ORC|BATON)_' | sort > "$(dirname "$0")/env.txt"
            cat > "$(dirname "$0")/stdin.json"
            echo "CUSTOM=$CUSTOM STALE=${ORC_STALE:-unset}"
            """)
        let successor = InstanceKey(hostname: "db2", port: 3306)
        let context = Fixtures.context(successor: successor)
        var runner = Fixtures.runner()
        runner.settings.baseEnvironment = ["PATH": "/usr/bin:/bin", "ORC_STALE": "old", "SECRET": "s3cret"]
        let result = await runner.run(
            HookSpec(.arguments([script]), timeout: .seconds(7), environment: ["CUSTOM": "yes"]),
            phase: .postFailover, context: context)
        #expect(result.succeeded, "\(result)")
        #expect(result.output.text == "CUSTOM=yes STALE=unset\n")

        let lines = Set(try directory.read("env.txt").split(separator: "\n").map(String.init))
        for expected in [
            "ORC_FAILURE_TYPE=DeadMaster", "ORC_INSTANCE_TYPE=master", "ORC_IS_MASTER=true", "ORC_IS_CO_MASTER=false",
            "ORC_FAILURE_DESCRIPTION=master is dead", "ORC_COMMAND=recover", "ORC_FAILED_HOST=db1.example.com",
            "ORC_FAILED_PORT=3306", "ORC_FAILURE_CLUSTER=db1.example.com:3306", "ORC_FAILURE_CLUSTER_ALIAS=shop",
            "ORC_FAILURE_CLUSTER_DOMAIN=example.com", "ORC_COUNT_REPLICAS=2", "ORC_IS_DOWNTIMED=false",
            "ORC_AUTO_MASTER_RECOVERY=true", "ORC_AUTO_INTERMEDIATE_MASTER_RECOVERY=false",
            "ORC_ORCHESTRATOR_HOST=baton-1", "ORC_IS_SUCCESSFUL=true", "ORC_LOST_REPLICAS=db3:3307",
            "ORC_REPLICA_HOSTS=db2:3306,db3:3307", "ORC_RECOVERY_UID=uid-123", "ORC_SUCCESSOR_HOST=db2",
            "ORC_SUCCESSOR_PORT=3306", "ORC_SUCCESSOR_BINLOG_COORDINATES=bin.000007:4711",
            "ORC_SUCCESSOR_ALIAS=db2-alias", "BATON_HOOK_PHASE=PostFailover", "BATON_HOOK_TIMEOUT_SECONDS=7",
            "BATON_FAILED_INSTANCE=db1.example.com:3306", "BATON_SUCCESSOR_INSTANCE=db2:3306",
            "BATON_RECOVERY_UID=uid-123", "BATON_NODE=baton-1", "BATON_COUNT_LOST_REPLICAS=1",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        #expect(!lines.contains { $0.hasPrefix("ORC_STALE") || $0.contains("s3cret") })

        let document = try JSONDecoder().decode(HookContext.self, from: Data(try directory.read("stdin.json").utf8))
        var expected = context
        expected.phase = .postFailover
        #expect(document == expected)
    }

    @Test func successorPlaceholdersStayLiteralWithoutSuccessor() async throws {
        let result = await Fixtures.runner().run(
            .orchestrator("echo {successorHost} {failedHost}"), phase: .preFailover, context: Fixtures.context())
        #expect(result.output.text == "{successorHost} db1.example.com\n")
    }

    @Test func failingHookAbortsPrePhaseAndLaterHooksDoNotRun() async throws {
        let directory = try TemporaryDirectory()
        let hooks: [HookSpec] = [
            .orchestrator("touch \(directory.file("first"))"), .orchestrator("echo failing; exit 3"),
            .orchestrator("touch \(directory.file("third"))"),
        ]
        let result = await Fixtures.runner().runPhase(hooks, phase: .preFailover, context: Fixtures.context())
        #expect(result.isAborted)
        #expect(result.results.map(\.termination) == [.exited(0), .exited(3)])
        #expect(result.notRun == [hooks[2].description])
        #expect(result.abortReason?.hasPrefix("PreFailoverProcesses[1] (echo failing; exit 3) exited with status 3") == true)
        #expect(directory.exists("first"))
        #expect(!directory.exists("third"))
    }

    @Test func postPhaseRunsEveryHookAfterAFailure() async throws {
        let directory = try TemporaryDirectory()
        let hooks: [HookSpec] = [
            .orchestrator("exit 1"), HookSpec(.arguments(["/nonexistent/hook"])),
            .orchestrator("touch \(directory.file("last"))"),
        ]
        let result = await Fixtures.runner().runPhase(hooks, phase: .postFailover, context: Fixtures.context())
        #expect(!result.isAborted)
        #expect(result.results.count == 3)
        #expect(result.results.last?.succeeded == true)
        #expect(directory.exists("last"))
    }

    @Test(arguments: [false, true])
    func timeoutKillsTheWholeProcessGroup(ignoringSIGTERM: Bool) async throws {
        let directory = try TemporaryDirectory()
        let trap = ignoringSIGTERM ? "trap '' TERM; " : ""
        let hook = HookSpec(
            .shell("\(trap)sleep 1000 & echo $! > \(directory.file("pid")); echo started; wait"),
            timeout: .milliseconds(300))
        let result = await Fixtures.runner().run(hook, phase: .preFailover, context: Fixtures.context())
        #expect(result.timedOut)
        #expect(!result.succeeded)
        #expect(result.termination == .signaled(ignoringSIGTERM ? SIGKILL : SIGTERM))
        #expect(result.output.text == "started\n")
        let pid = try #require(pid_t(try directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await Fixtures.processIsGone(pid))
    }

    @Test func hugeOutputIsCapturedBounded() async throws {
        let result = await Fixtures.runner().run(
            .orchestrator("echo begin; head -c 20000000 /dev/zero | tr '\\0' x; echo; echo end"),
            context: Fixtures.context())
        #expect(result.succeeded, "\(result.summary)")
        #expect(result.output.totalBytes == 6 + 20_000_000 + 1 + 4)
        #expect(result.output.isTruncated)
        #expect(result.output.text.utf8.count < 140_000)
        #expect(result.output.text.hasPrefix("begin\nxxx"))
        #expect(result.output.text.hasSuffix("xxx\nend\n"))
    }

    @Test func hookThatNeverReadsStdinCompletesWithLargeContext() async throws {
        let context = Fixtures.context(description: String(repeating: "long description ", count: 300_000))
        let result = await Fixtures.runner().run(.orchestrator("exit 0"), context: context)
        #expect(result.succeeded, "\(result)")
        // The document on stdin is complete; the environment copy of the description is cut to the kernel's limits.
        let reading = await Fixtures.runner().run(
            .orchestrator(#"wc -c; printf '%s' "$ORC_FAILURE_DESCRIPTION" | wc -c"#), context: context)
        let counts = reading.output.text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(counts.count == 2)
        #expect(counts.first ?? 0 > 5_000_000)
        #expect(counts.last == HookRunner.environmentValueLimit)
    }

    @Test func missingExecutableIsAClearResult() async throws {
        let result = await Fixtures.runner().run(HookSpec(.arguments(["/nonexistent/hook", "x"])), context: Fixtures.context())
        guard case .notStarted(let reason) = result.termination else {
            Issue.record("expected notStarted, got \(result.termination)")
            return
        }
        #expect(reason.contains("/nonexistent/hook"))
        #expect(reason.contains("No such file"))
        #expect(!result.succeeded)

        var runner = Fixtures.runner()
        runner.settings.shellCommand = "no-such-shell-for-baton"
        let shell = await runner.runPhase([.orchestrator("true")], phase: .preFailover, context: Fixtures.context())
        #expect(shell.abortReason?.contains("did not start: cannot execute no-such-shell-for-baton") == true)
    }

    @Test func unsafeTemplateIsRefusedNotRun() async throws {
        let result = await Fixtures.runner().run(.orchestrator("echo `echo {failedHost}`"), context: Fixtures.context())
        guard case .notStarted(let reason) = result.termination else {
            Issue.record("expected notStarted, got \(result.termination)")
            return
        }
        #expect(reason.contains("backquotes"))
    }

    @Test func asyncPostHookDoesNotDelayThePhase() async throws {
        let directory = try TemporaryDirectory()
        let (results, continuation) = AsyncStream.makeStream(of: HookResult.self)
        let runner = Fixtures.runner { continuation.yield($0) }
        let waiting = HookSpec(
            .shell("while [ ! -e \(directory.file("go")) ]; do sleep 0.02; done; echo released"), isAsync: true)
        let phase = await runner.runPhase(
            [waiting, .orchestrator("echo sync")], phase: .postMasterFailover, context: Fixtures.context())
        // The async hook cannot finish before this file exists, so the phase returned without waiting for it.
        #expect(phase.launchedAsynchronously == [waiting.description])
        #expect(phase.results.map(\.output.text) == ["sync\n"])
        #expect(FileManager.default.createFile(atPath: directory.file("go"), contents: nil))
        var iterator = results.makeAsyncIterator()
        let asyncResult = try #require(await iterator.next())
        #expect(asyncResult.succeeded)
        #expect(asyncResult.output.text == "released\n")
    }

    @Test func trailingAmpersandIsAsyncInPostPhasesOnly() async throws {
        let directory = try TemporaryDirectory()
        let hook = HookSpec.orchestrator("touch \(directory.file("marker")) &")
        #expect(hook.isAsync)
        #expect(hook.command == .shell("touch \(directory.file("marker"))"))
        let pre = await Fixtures.runner().runPhase([hook], phase: .preFailover, context: Fixtures.context())
        #expect(pre.results.count == 1 && pre.launchedAsynchronously.isEmpty)
        #expect(directory.exists("marker"))
    }

    #if os(Linux)
    @Test func hookDoesNotInheritBatonsDescriptors() async throws {
        let directory = try TemporaryDirectory()
        let descriptor = open(directory.file("baton-private"), O_CREAT | O_WRONLY, 0o600)
        #expect(descriptor > 2)
        defer { close(descriptor) }
        let result = await Fixtures.runner().run(.orchestrator("ls -l /proc/$$/fd"), context: Fixtures.context())
        #expect(result.succeeded)
        #expect(!result.output.text.contains("baton-private"), "\(result.output.text)")
    }
    #endif

    @Test func cancellationKillsTheHook() async throws {
        let directory = try TemporaryDirectory()
        let task = Task {
            await Fixtures.runner().run(
                .orchestrator("touch \(directory.file("started")); sleep 1000"), context: Fixtures.context())
        }
        while !directory.exists("started") { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.value
        #expect(result.cancelled)
        #expect(!result.succeeded)
    }
}
