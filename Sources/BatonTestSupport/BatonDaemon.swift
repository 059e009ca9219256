import Foundation

/// A real `baton serve` process with its own configuration file and SQLite database, for system tests.
public final class BatonDaemon: Sendable {
    public let directory: URL
    public let port: Int
    public let host: String
    public let namespace: String?
    public var apiURL: String { "http://\(host):\(port)/api" }
    public var logFile: URL { directory.appendingPathComponent("baton.log") }
    private let process: ChildProcess

    /// The `baton` executable built next to the test bundle, or `BATON_BINARY` when set.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["BATON_BINARY"] { return path }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [testBundle, testBundle.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("baton").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return ProcessRunner.packageRoot.appendingPathComponent(".build/debug/baton").path
    }

    /// Writes a configuration (the given keys on top of test defaults) and starts the daemon. Passing the
    /// `directory` and `port` of a stopped daemon restarts it on the same SQLite file. With a `namespace` (a
    /// `NetworkLab` data centre) the daemon runs inside that network namespace and listens on `host`.
    public init(
        configuration extra: [String: any Sendable], directory reused: URL? = nil, port: Int? = nil,
        host: String = "127.0.0.1", namespace: String? = nil
    ) throws {
        let directory = reused
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("baton-daemon-\(UUID().uuidString.prefix(8))")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.port = port ?? ProcessRunner.freePort()
        self.host = host
        self.namespace = namespace
        var configuration: [String: Any] = [
            "ListenAddress": "\(host):\(self.port)",
            "SQLite3DataFile": directory.appendingPathComponent("baton.sqlite3").path,
            "BackendDB": "sqlite",
        ]
        for (key, value) in extra { configuration[key] = value }
        let configPath = directory.appendingPathComponent("baton.conf.json")
        try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys])
            .write(to: configPath)
        let command = [Self.binary, "serve", "--config", configPath.path]
        let (executable, arguments) = namespace.map {
            (NetworkLab.ipPath, ["netns", "exec", $0] + command)
        } ?? (command[0], Array(command.dropFirst()))
        process = try ChildProcess(
            executable, arguments, outputPath: directory.appendingPathComponent("baton.log").path)
    }

    /// The daemon's process id (`ip netns exec` execs the daemon, so it is the daemon's own).
    public var pid: pid_t { process.pid }

    /// SIGSTOP: the process stops in the middle of whatever it does (a stalled disk, a long GC pause); its sockets
    /// stay open.
    public func pause() { if process.isRunning { Glibc.kill(process.pid, SIGSTOP) } }

    /// SIGCONT after `pause`.
    public func resume() { if process.isRunning { Glibc.kill(process.pid, SIGCONT) } }

    public var isRunning: Bool { process.isRunning }

    /// Waits for the daemon to exit on its own (e.g. after a configuration error); terminates it after
    /// `timeout` seconds. Returns the exit status.
    @discardableResult
    public func waitForExit(timeout: TimeInterval) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.terminate()
    }

    /// SIGTERM, then SIGKILL if the daemon has not exited within `grace`. Returns the exit status.
    @discardableResult
    public func terminate(grace: TimeInterval = 10) -> Int32 {
        resume()
        return process.terminate(grace: grace)
    }

    /// kill -9: the daemon gets no chance to finish anything.
    @discardableResult
    public func kill() -> Int32 {
        process.terminate(signal: SIGKILL, grace: 5)
    }

    /// The daemon's log so far, for failure messages.
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Runs the `baton` CLI with `arguments` against this daemon's API; returns exit status, stdout and stderr.
    public func cli(
        _ arguments: [String], api: String? = nil, environment: [String: String] = [:]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let out = directory.appendingPathComponent("cli-\(UUID().uuidString).out").path
        let err = directory.appendingPathComponent("cli-\(UUID().uuidString).err").path
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        let child = try ChildProcess(
            Self.binary, arguments, outputPath: out, errorPath: err,
            environment: environment.merging(["BATON_API": api ?? apiURL]) { $1 })
        let status = child.wait()
        return (
            status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }

    /// Stops the daemon and removes its files.
    public func tearDown() {
        terminate()
        try? FileManager.default.removeItem(at: directory)
    }
}
