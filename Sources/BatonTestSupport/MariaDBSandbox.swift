import BatonCore
import Foundation

/// Real MariaDB servers on loopback, started by `scripts/sandbox` as a replication topology.
///
/// Each sandbox lives in its own temporary directory and port range, and `tearDown` kills only the servers it
/// started. Server N listens on `basePort + N`.
public final class MariaDBSandbox: Sendable {
    public let directory: String
    public let basePort: Int
    public let user = "baton"
    public let password = "baton_pw"
    /// The address each placed server listens on (inside its network namespace); the others use 127.0.0.1.
    public let addresses: [Int: String]

    static var script: String { ProcessRunner.packageRoot.appendingPathComponent("scripts/sandbox").path }

    private init(directory: String, basePort: Int, addresses: [Int: String]) {
        self.directory = directory
        self.basePort = basePort
        self.addresses = addresses
    }

    /// Starts a topology such as `"1 2:1 3:1 4:1 5:4"` (server 1 primary; 2, 3, 4 replicate from 1; 5 from 4).
    /// Retries on another port range when the first is taken. `placement` runs servers inside network namespaces
    /// (server → namespace and address, e.g. from a `NetworkLab`).
    public static func start(
        topology: String, tls: Bool = false, placement: [Int: (namespace: String, address: String)] = [:]
    ) throws -> MariaDBSandbox {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("baton-sandbox-\(UUID().uuidString.prefix(8))").path
            let basePort = ProcessRunner.randomBasePort()
            var arguments = ["up", "--dir", directory, "--base-port", "\(basePort)", "--topology", topology]
            if tls { arguments.append("--tls") }
            if !placement.isEmpty {
                arguments += [
                    "--place",
                    placement.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.namespace)@\($0.value.address)" }
                        .joined(separator: " "),
                ]
            }
            do {
                try ProcessRunner.run(script, arguments)
                return MariaDBSandbox(
                    directory: directory, basePort: basePort, addresses: placement.mapValues(\.address))
            } catch {
                lastError = error
                _ = try? ProcessRunner.run(script, ["down", "--dir", directory])
            }
        }
        throw lastError ?? ProcessRunner.Failure(command: [script], status: -1, output: "")
    }

    public func port(_ server: Int) -> Int { basePort + server }

    public func host(_ server: Int) -> String { addresses[server] ?? "127.0.0.1" }

    public func key(_ server: Int) -> InstanceKey { InstanceKey(hostname: host(server), port: port(server)) }

    /// kill -9 of one server.
    public func kill(_ server: Int) throws { try run("kill", "\(server)") }

    /// SIGSTOP of one server: its connections stay open but nothing answers (no reset).
    public func pause(_ server: Int) throws { try run("pause", "\(server)") }

    /// SIGCONT of a paused server.
    public func resume(_ server: Int) throws { try run("resume", "\(server)") }

    /// Clean shutdown of one server.
    public func stop(_ server: Int) throws { try run("stop", "\(server)") }

    /// Starts a stopped or killed server again and waits until it accepts connections.
    public func start(_ server: Int) throws { try run("start", "\(server)") }

    /// Runs SQL on one server as the Baton user; returns tab-separated rows.
    @discardableResult
    public func sql(_ server: Int, _ statement: String) throws -> String {
        try ProcessRunner.run(Self.script, ["sql", "--dir", directory, "\(server)", statement])
    }

    /// Kills every server of this sandbox and removes its directory. Safe to call twice.
    public func tearDown() {
        _ = try? ProcessRunner.run(Self.script, ["down", "--dir", directory])
    }

    private func run(_ command: String, _ server: String) throws {
        try ProcessRunner.run(Self.script, [command, "--dir", directory, server])
    }
}
