import Foundation

/// A real `baton serve` process with its own configuration file and SQLite database, for system tests.
public final class BatonDaemon: Sendable {
    public let directory: URL
    public let port: Int
    public var apiURL: String { "http://127.0.0.1:\(port)/api" }
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

    /// Writes a configuration (the given keys on top of test defaults) and starts the daemon.
    public init(configuration extra: [String: any Sendable]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("baton-daemon-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = ProcessRunner.randomBasePort() + 9
        var configuration: [String: Any] = [
            "ListenAddress": "127.0.0.1:\(port)",
            "SQLite3DataFile": directory.appendingPathComponent("baton.sqlite3").path,
            "BackendDB": "sqlite",
        ]
        for (key, value) in extra { configuration[key] = value }
        let configPath = directory.appendingPathComponent("baton.conf.json")
        try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys])
            .write(to: configPath)
        process = try ChildProcess(
            Self.binary, ["serve", "--config", configPath.path],
            outputPath: directory.appendingPathComponent("baton.log").path)
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if the daemon has not exited within `grace`. Returns the exit status.
    @discardableResult
    public func terminate(grace: TimeInterval = 10) -> Int32 {
        process.terminate(grace: grace)
    }

    /// The daemon's log so far, for failure messages.
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Stops the daemon and removes its files.
    public func tearDown() {
        terminate()
        try? FileManager.default.removeItem(at: directory)
    }
}
