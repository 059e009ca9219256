import BatonCore
import Foundation

@testable import BatonHooks

#if canImport(Glibc)
import Glibc
#endif

/// The example hooks of `hooks/` and what their tests need: real processes (haproxy, named, small python3 servers)
/// started with `posix_spawn` and always killed, free ports, a TCP client.
enum Examples {
    /// The repository's `hooks/` directory.
    static let hooksDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Examples, BatonHooksTests, Tests
        return url.appendingPathComponent("hooks").path
    }()

    static func hook(_ name: String) -> String { hooksDirectory + "/" + name }

    /// An executable found in `PATH` or the sbin directories (haproxy and named live in /usr/sbin).
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin"]
            + path.split(separator: ":").map(String.init)
        for directory in directories where access(directory + "/" + name, X_OK) == 0 {
            return directory + "/" + name
        }
        return nil
    }

    static let python3 = executable("python3")

    /// A port no one listens on now (bound to 0 then released; callers retry on the rare race).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ExampleError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ExampleError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    static func waitFor(seconds: Double = 10, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    /// Starts a python3 script written into `directory`; its first argument is a file where it writes the port it
    /// listens on, which this returns once written.
    static func startPythonServer(
        _ script: String, named name: String, arguments: [String] = [], in directory: TemporaryDirectory
    ) async throws -> (process: ExampleProcess, port: Int) {
        guard let python3 else { throw ExampleError("python3 is not installed") }
        let scriptPath = directory.file(name + ".py")
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let portFile = directory.file(name + ".port")
        let process = try ExampleProcess(
            python3, [scriptPath, portFile] + arguments, outputPath: directory.file(name + ".log"))
        var port: Int?
        let started = try await waitFor {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return port != nil || !process.isRunning
        }
        guard started, let port else {
            process.terminate(grace: 1)
            throw ExampleError("\(name) did not start: \((try? directory.read(name + ".log")) ?? "")")
        }
        return (process, port)
    }

    /// A TCP "database" answering `banner` and a newline on every connection, then holding it until the client
    /// closes it.
    static let bannerServer = #"""
        import os, socket, sys, threading
        port_file, banner = sys.argv[1], sys.argv[2].encode() + b"\n"
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        with open(port_file + ".tmp", "w") as f:
            f.write(str(listener.getsockname()[1]))
        os.rename(port_file + ".tmp", port_file)
        def serve(connection):
            try:
                connection.sendall(banner)
                while connection.recv(4096):
                    pass
            except OSError:
                pass
            finally:
                connection.close()
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """#
}

struct ExampleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A TCP connection to 127.0.0.1 with a receive timeout.
final class TCPConnection {
    let fd: Int32

    init(port: Int, timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ExampleError("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ExampleError("connect to 127.0.0.1:\(port): \(reason)")
        }
    }

    deinit { close(fd) }

    /// Reads up to a newline; `nil` when the peer closed the connection first (or the read timed out).
    func readLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return nil
    }

    /// Whether the peer has closed the connection (a read returns end of file before the timeout).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    /// Connects and reads the first line; `nil` if the connection fails or closes without a line.
    static func firstLine(port: Int) -> String? {
        (try? TCPConnection(port: port))?.readLine()
    }
}

/// A child process started with `posix_spawn` and reaped with `waitpid` (the pattern of BatonTestSupport's
/// `ChildProcess`; Foundation's `Process.waitUntilExit` can hang on Linux).
final class ExampleProcess: @unchecked Sendable {
    // Mutable state is only `status`, written by `wait`/`isRunning`, which tests call from one task at a time.
    let pid: pid_t
    private var status: Int32?

    /// Starts `executable` with stdin from /dev/null and stdout and stderr appended to `outputPath`.
    init(_ executable: String, _ arguments: [String], outputPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // No other descriptor of the test process: a long-lived child (haproxy, python3) holding a script that another
        // test is writing would make executing that script fail with ETXTBSY for as long as the child lives.
        if let addCloseFrom = Self.addCloseFrom { _ = addCloseFrom(&actions, 3) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        // Default signal dispositions and an empty mask: the test runner's ignored or blocked signals must not make
        // the child deaf to the SIGTERM that `terminate` sends.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&signals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw ExampleError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not import.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Whether the child is still running (reaps it if it has exited).
    var isRunning: Bool {
        if status != nil { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            status = raw
            return false
        }
        return result == 0
    }

    /// Blocks until the child exits; returns its raw wait status (0: exited with status 0).
    @discardableResult
    func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        status = raw
        return raw
    }

    /// Sends `signal`, waits up to `grace` seconds, then SIGKILL, and reaps the child.
    func terminate(signal: Int32 = SIGTERM, grace: TimeInterval = 5) {
        guard isRunning else { return }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            wait()
        }
    }
}

extension Fixtures {
    /// A `PostMasterFailover` context whose successor is `host:port`, for cluster alias `shop`.
    static func failover(to host: String, port: Int) -> HookContext {
        context(successor: InstanceKey(hostname: host, port: port))
    }
}
