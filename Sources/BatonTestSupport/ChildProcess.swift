import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// Foundation's `Process.waitUntilExit` on Linux can wait forever when the child leaves daemons behind
/// (scripts/sandbox starts mariadbd servers); `waitpid` only waits for the child itself.
public final class ChildProcess: @unchecked Sendable {
    // Mutable state is only `status`, written by `wait`/`poll`, which tests call from one task at a time.
    public let pid: pid_t
    private var status: Int32?

    /// Starts `executable` with `arguments`: stdin from the descriptor `standardInput` (or /dev/null), stdout
    /// appended to `outputPath` and stderr to `errorPath` (or to `outputPath` too when it is `nil`).
    public init(
        _ executable: String, _ arguments: [String], outputPath: String, errorPath: String? = nil,
        standardInput: Int32? = nil, environment: [String: String]? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw ProcessRunner.Failure(
                command: [executable] + arguments, status: -1, output: "posix_spawn failed: \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Blocks until the child exits; returns its exit status (128 + signal when killed by a signal).
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        return record(raw)
    }

    /// Whether the child is still running (reaps it if it has exited).
    public var isRunning: Bool {
        if status != nil { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            _ = record(raw)
            return false
        }
        return result == 0
    }

    /// Sends `signal`, waits up to `grace` seconds, then SIGKILL. Returns the exit status.
    @discardableResult
    public func terminate(signal: Int32 = SIGTERM, grace: TimeInterval = 10) -> Int32 {
        guard isRunning else { return status ?? -1 }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning { kill(pid, SIGKILL) }
        return wait()
    }

    private func record(_ raw: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros; decode the status word by hand.
        let signal = raw & 0x7f
        let value = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        status = value
        return value
    }
}
