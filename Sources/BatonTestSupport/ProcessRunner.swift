import Foundation

/// Runs a command to completion and captures its output. For test harnesses only.
public enum ProcessRunner {
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let output: String
        public var description: String {
            "\(command.joined(separator: " ")) exited with \(status):\n\(output)"
        }
    }

    /// Runs `executable` with `arguments`; throws `Failure` on a non-zero exit. Output is stdout and stderr merged.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> String {
        // Output goes to a file, not a pipe: a command that starts daemons (scripts/sandbox) leaves them holding
        // its stdout, and reading a pipe to its end would wait for the daemons to exit.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("baton-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try ChildProcess(executable, arguments, outputPath: outputPath, environment: environment)
        let status = child.wait()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failure(command: [executable] + arguments, status: status, output: output)
        }
        return output
    }

    /// The package's root directory (where Package.swift is), found from this source file's location.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// A free-looking TCP port range base: random, so concurrent test runs rarely collide; callers retry.
    public static func randomBasePort() -> Int {
        20_000 + Int.random(in: 0..<2_000) * 10
    }
}
