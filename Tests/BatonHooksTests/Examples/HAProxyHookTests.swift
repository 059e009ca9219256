import BatonCore
import Foundation
import Testing

@testable import BatonHooks

#if canImport(Glibc)
import Glibc
#endif

/// `hooks/haproxy-switch-primary` against a real haproxy process routing to two fake databases.
@Suite struct HAProxyHookTests {
    static let haproxy = Examples.executable("haproxy")
    static let canTalkToSocket = Examples.executable("socat") != nil || Examples.python3 != nil

    /// A haproxy in the foreground with a TCP frontend whose backend `mysql_primary` has one server, `primary`.
    struct RunningHAProxy {
        let process: ExampleProcess
        let frontendPort: Int
        let socket: String
    }

    static func startHAProxy(initialBackendPort: Int, in directory: TemporaryDirectory) async throws -> RunningHAProxy {
        var lastError = ""
        for attempt in 1...3 {
            let frontendPort = try Examples.freePort()
            let socket = directory.file("admin.sock")
            let configuration = """
                global
                    stats socket \(socket) level admin
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                frontend mysql
                    bind 127.0.0.1:\(frontendPort)
                    default_backend mysql_primary
                backend mysql_primary
                    server primary 127.0.0.1:\(initialBackendPort)

                """
            try configuration.write(toFile: directory.file("haproxy.cfg"), atomically: true, encoding: .utf8)
            let log = "haproxy-\(attempt).log"
            let process = try ExampleProcess(
                try #require(haproxy), ["-db", "-f", directory.file("haproxy.cfg")], outputPath: directory.file(log))
            let ready = try await Examples.waitFor {
                guard process.isRunning else { return true }
                return access(socket, F_OK) == 0 && (try? TCPConnection(port: frontendPort)) != nil
            }
            if ready && process.isRunning {
                return RunningHAProxy(process: process, frontendPort: frontendPort, socket: socket)
            }
            process.terminate(grace: 1)
            lastError = (try? directory.read(log)) ?? ""
        }
        throw ExampleError("haproxy did not start: \(lastError)")
    }

    @Test(.enabled(if: haproxy != nil, "haproxy is not installed (scripts/lib/install-deps.sh installs it)"),
        .enabled(if: canTalkToSocket && Examples.python3 != nil, "socat or python3 is needed"))
    func haproxyRoutesToTheNewPrimaryAfterTheHook() async throws {
        let directory = try TemporaryDirectory()
        let primaryA = try await Examples.startPythonServer(
            Examples.bannerServer, named: "backend-a", arguments: ["A"], in: directory)
        defer { primaryA.process.terminate() }
        let replicaB = try await Examples.startPythonServer(
            Examples.bannerServer, named: "backend-b", arguments: ["B"], in: directory)
        defer { replicaB.process.terminate() }
        let haproxy = try await Self.startHAProxy(initialBackendPort: primaryA.port, in: directory)
        defer { haproxy.process.terminate() }

        // Before the failover: clients reach A, and one of them stays connected.
        #expect(TCPConnection.firstLine(port: haproxy.frontendPort) == "A")
        let oldSession = try TCPConnection(port: haproxy.frontendPort)
        #expect(oldSession.readLine() == "A")

        // The failover: Baton runs the hook, structured form, with the successor B.
        let hook = HookSpec(
            .arguments([Examples.hook("haproxy-switch-primary")]), name: "haproxy-switch", timeout: .seconds(15),
            environment: [
                "HAPROXY_SOCKET": haproxy.socket, "HAPROXY_BACKEND": "mysql_primary", "HAPROXY_SERVER": "primary",
            ])
        let result = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "127.0.0.1", port: replicaB.port))
        #expect(result.succeeded, "\(result): \(result.output.text)")
        #expect(result.output.text.contains("now routes to 127.0.0.1:\(replicaB.port)"), "\(result.output.text)")

        // After: new clients reach B; the session left open to the old primary was closed.
        #expect(TCPConnection.firstLine(port: haproxy.frontendPort) == "B")
        #expect(TCPConnection.firstLine(port: haproxy.frontendPort) == "B")
        #expect(oldSession.isClosedByPeer())

        // orchestrator's string form, as hooks/README.md shows it, switches back (a graceful takeover to A).
        let stringForm = HookSpec.orchestrator(
            "HAPROXY_SOCKET=\(haproxy.socket) \(Examples.hook("haproxy-switch-primary"))")
        let back = await Fixtures.runner().run(
            stringForm, phase: .postGracefulTakeover, context: Fixtures.failover(to: "localhost", port: primaryA.port))
        #expect(back.succeeded, "\(back): \(back.output.text)")
        #expect(TCPConnection.firstLine(port: haproxy.frontendPort) == "A")

        // A runtime API error (no such server) fails the hook with HAProxy's answer, and changes nothing.
        var wrongServer = hook
        wrongServer.environment["HAPROXY_SERVER"] = "no_such_server"
        let refused = await Fixtures.runner().run(
            wrongServer, phase: .postMasterFailover, context: Fixtures.failover(to: "127.0.0.1", port: replicaB.port))
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.output.text.contains("HAProxy refused"), "\(refused.output.text)")
        #expect(refused.output.text.contains("No such server"), "\(refused.output.text)")
        #expect(TCPConnection.firstLine(port: haproxy.frontendPort) == "A")

        // An intermediate primary's recovery has a successor too, but it is not the primary: nothing changes.
        var intermediate = Fixtures.failover(to: "127.0.0.1", port: replicaB.port)
        intermediate.failureType = .deadIntermediateMaster
        intermediate.instanceType = "intermediate-master"
        intermediate.isMaster = false
        let ignored = await Fixtures.runner().run(hook, phase: .postFailover, context: intermediate)
        #expect(ignored.succeeded, "\(ignored)")
        #expect(ignored.output.text.contains("nothing to do"), "\(ignored.output.text)")
        #expect(TCPConnection.firstLine(port: haproxy.frontendPort) == "A")
    }

    @Test func missingSuccessorFailsWithAClearMessage() async throws {
        let directory = try TemporaryDirectory()
        let hook = HookSpec(
            .arguments([Examples.hook("haproxy-switch-primary")]),
            environment: ["HAPROXY_SOCKET": directory.file("admin.sock")])
        let result = await Fixtures.runner().run(hook, phase: .postMasterFailover, context: Fixtures.context())
        #expect(result.termination == .exited(1), "\(result)")
        #expect(result.output.text.contains("error: ORC_SUCCESSOR_HOST is missing or empty"), "\(result.output.text)")
    }

    @Test func unsafeValuesAreRefusedBeforeReachingHAProxy() async throws {
        let directory = try TemporaryDirectory()
        // A ';' or newline would start a second runtime API command.
        for (host, environment) in [
            ("db2;shutdown sessions server x/y", [String: String]()),
            ("db2", ["HAPROXY_BACKEND": "mysql_primary\nshutdown frontend mysql"]),
        ] {
            let hook = HookSpec(
                .arguments([Examples.hook("haproxy-switch-primary")]),
                environment: environment.merging(["HAPROXY_SOCKET": directory.file("admin.sock")]) { $1 })
            let result = await Fixtures.runner().run(
                hook, phase: .postMasterFailover, context: Fixtures.failover(to: host, port: 3306))
            #expect(result.termination == .exited(1), "\(result)")
            #expect(result.output.text.contains("is not a"), "\(result.output.text)")
        }
    }
}
