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

    /// A TCP port nobody listens on now on 127.0.0.1 (checked by binding it), from the random ranges above. Another
    /// program may still take it before the caller does; the window is small.
    public static func freePort() -> Int {
        for _ in 0..<100 {
            let port = randomBasePort() + Int.random(in: 0..<10)
            if isFree(port: port) { return port }
        }
        return randomBasePort() + 9
    }

    /// Whether binding 127.0.0.1:`port` succeeds now.
    public static func isFree(port: Int, host: String = "127.0.0.1") -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
