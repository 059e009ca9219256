import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` (never Foundation's `Process`), its output appended to a file.
final class SpawnedProcess {
    let pid: pid_t

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(_ executable: String, _ arguments: [String], outputPath: String, environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw Failure(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Sends `signal` and reaps the child; returns the raw wait status.
    @discardableResult
    func kill(_ signal: Int32) -> Int32 {
        _ = Glibc.kill(pid, signal)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }

    /// The executable running these tests, as an absolute path.
    static var testExecutable: String {
        let first = CommandLine.arguments[0]
        if first.hasPrefix("/") { return first }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(first)
    }
}
