import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One hook process: started with `posix_spawn` in its own process group, supervised on a dedicated thread (output
/// drained continuously, timeout enforced, reaped with `waitpid`), so no thread of Swift's cooperative pool ever
/// blocks on it.
///
/// Foundation's `Process` is not used: on Linux its `waitUntilExit` can hang when a child leaves processes behind.
enum HookProcess {
    struct Request: Sendable {
        /// An absolute or relative path, or a name looked up in `PATH`.
        var executable: String
        /// The full argv, `argv[0]` included.
        var arguments: [String]
        var environment: [String: String]
        var standardInput: [UInt8]
        var timeout: Duration
        var killGracePeriod: Duration
        var outputLimit: Int
    }

    struct Outcome: Sendable {
        var termination: HookResult.Termination
        var timedOut = false
        var cancelled = false
        var duration: Duration
        var output = CapturedOutput()
    }

    /// Set when the awaiting task is cancelled; the supervising thread then kills the process group.
    final class CancellationFlag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .relaxed) }
        var isSet: Bool { value.load(ordering: .relaxed) }
    }

    static func run(_ request: Request) async -> Outcome {
        let flag = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: supervise(request, cancellation: flag)) }
                thread.name = "baton-hook"
                thread.start()
            }
        } onCancel: {
            flag.set()
        }
    }

    private static func supervise(_ request: Request, cancellation: CancellationFlag) -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        func notStarted(_ reason: String) -> Outcome {
            Outcome(termination: .notStarted(reason), duration: clock.now - start)
        }

        let standardInput: Int32
        switch makeStandardInput(request.standardInput) {
        case .success(let descriptor): standardInput = descriptor
        case .failure(let error): return notStarted(error.message)
        }
        defer { close(standardInput) }
        guard let (readEnd, writeEnd) = makePipe() else {
            return notStarted("cannot create the output pipe: \(errorText(errno))")
        }
        defer { close(readEnd) }

        let spawned = spawn(request, standardInput: standardInput, output: writeEnd)
        close(writeEnd)
        let pid: pid_t
        switch spawned {
        case .success(let value): pid = value
        case .failure(let error): return notStarted(error.message)
        }

        var output = BoundedOutput(limit: request.outputLimit)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var outputOpen = true
        let deadline = start + request.timeout
        var terminatedAt: ContinuousClock.Instant?
        var killed = false
        var timedOut = false
        var cancelled = false

        while true {
            var descriptor = pollfd(fd: outputOpen ? readEnd : -1, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 10)
            if outputOpen { outputOpen = drain(readEnd, into: &output, buffer: &buffer, maxReads: 64) }
            if hasExited(pid) { break }
            let now = clock.now
            if let terminatedAt {
                if !killed && now >= terminatedAt + request.killGracePeriod {
                    kill(-pid, SIGKILL)
                    killed = true
                }
            } else if now >= deadline || cancellation.isSet {
                timedOut = now >= deadline
                cancelled = !timedOut
                kill(-pid, SIGTERM)
                terminatedAt = now
            }
        }
        // The leader is a zombie until reaped, so its process group id cannot have been reused: kill what is left of
        // the group (a backgrounded grandchild) before reaping.
        if terminatedAt != nil { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let duration = clock.now - start

        if outputOpen {
            if terminatedAt != nil {
                // Every writer was just sent SIGKILL: read until they are gone, briefly.
                let until = clock.now + .milliseconds(500)
                while outputOpen && clock.now < until {
                    var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&descriptor, 1, 10)
                    outputOpen = drain(readEnd, into: &output, buffer: &buffer, maxReads: 64)
                }
            } else {
                // A process the hook left running may still hold the pipe: take what is there, do not wait for it.
                _ = drain(readEnd, into: &output, buffer: &buffer, maxReads: 16)
            }
        }

        let signal = status & 0x7f
        let termination: HookResult.Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        return Outcome(termination: termination, timedOut: timedOut, cancelled: cancelled, duration: duration,
            output: output.captured)
    }

    /// Reads what is available without blocking. Returns `false` at end of file.
    private static func drain(
        _ descriptor: Int32, into output: inout BoundedOutput, buffer: inout [UInt8], maxReads: Int
    ) -> Bool {
        for _ in 0..<maxReads {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.withUnsafeBytes { output.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            } else if count == 0 {
                return false
            } else if errno == EINTR {
                continue
            } else {
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
        }
        return true
    }

    /// Whether the child has exited, without reaping it (`WNOWAIT`).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if result == -1 { return errno != EINTR }
        return info.si_signo == SIGCHLD
    }

    struct Failure: Error {
        var message: String
    }

    /// The JSON document in an unlinked temporary file: a hook that never reads its stdin cannot block Baton, and
    /// there is no pipe to raise SIGPIPE.
    private static func makeStandardInput(_ bytes: [UInt8]) -> Result<Int32, Failure> {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/baton-hook-stdin-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            return .failure(Failure(message: "cannot create a temporary file in \(directory) for the hook's stdin: "
                + errorText(errno)))
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = errorText(errno)
                close(descriptor)
                return .failure(Failure(message: "cannot write the hook's stdin to \(directory): \(error)"))
            }
            offset += written
        }
        lseek(descriptor, 0, SEEK_SET)
        return .success(descriptor)
    }

    /// A pipe whose ends are close-on-exec (the child gets the write end through `dup2`); the read end is
    /// non-blocking.
    private static func makePipe() -> (Int32, Int32)? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        return (ends[0], ends[1])
    }

    private static func spawn(_ request: Request, standardInput: Int32, output: Int32) -> Result<pid_t, Failure> {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        // Descriptors Baton has open (sockets, the store, files being written) are not the hook's business, and a
        // long-running hook holding one open would keep it busy (ETXTBSY, sockets never closed).
        #if canImport(Glibc)
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
        #endif

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so that a timeout can kill everything the hook started.
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        // Dispositions Baton (or a library) may have set to "ignore" would otherwise be inherited.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM, SIGTSTP, SIGTTIN,
            SIGTTOU, SIGXFSZ]
        {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        #if canImport(Darwin)
        let closeOthers = POSIX_SPAWN_CLOEXEC_DEFAULT
        #else
        let closeOthers: Int32 = 0
        #endif
        posix_spawnattr_setflags(&attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | closeOthers))

        let argv = request.arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = request.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        var result: Int32 = 0
        // ETXTBSY: the executable is being written right now (deployed during a failover, or still open for writing
        // in a child forked meanwhile); it clears within milliseconds.
        for attempt in 0..<5 {
            if attempt > 0 { usleep(20_000) }
            result =
                request.executable.contains("/")
                ? posix_spawn(&pid, request.executable, &actions, &attributes, argv, envp)
                : posix_spawnp(&pid, request.executable, &actions, &attributes, argv, envp)
            if result != ETXTBSY { break }
        }
        guard result == 0 else {
            return .failure(Failure(message: "cannot execute \(request.executable): \(errorText(result))"))
        }
        return .success(pid)
    }

    #if canImport(Glibc)
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), a GNU extension Swift's Glibc module does not
    /// import; looked up at run time, `nil` on an older glibc.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
    #endif

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
