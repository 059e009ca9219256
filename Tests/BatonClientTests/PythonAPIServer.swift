import BatonTestSupport
import Foundation

/// A tiny HTTP server in a python3 subprocess that answers fixed bodies on 127.0.0.1 at an ephemeral port,
/// for end-to-end tests of the client. It exits when stopped, and also when the test process goes away
/// (it watches its stdin).
struct PythonAPIServer {
    /// One fixed answer; `delay` seconds pass before it is sent.
    struct Route: Encodable {
        var status: Int
        var body: String
        var delay: Double = 0
    }

    let port: Int
    private let process: ChildProcess
    /// The write end of the server's stdin; closing it tells the server to exit.
    private let stdinWriter: Int32

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The python3 on PATH, if any.
    static let python3: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/python3" } + ["/usr/bin/python3"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map(URL.init(fileURLWithPath:))
    }()

    /// Starts a server; `routes` maps a raw request path (as sent, still percent-encoded) to its answer.
    /// Any other path answers HTTP 404 with an `ERROR` envelope.
    ///
    /// Spawned with `ChildProcess` (posix_spawn + waitpid): Foundation's `Process.waitUntilExit` can spin forever
    /// on Linux when tests run in parallel.
    static func start(routes: [String: Route]) throws -> PythonAPIServer {
        guard let python3 else { throw ServerFailure(description: "python3 not found") }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("baton-client-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("server.py")
        try Data(serverScript.utf8).write(to: script)
        let routesFile = directory.appendingPathComponent("routes.json")
        try JSONEncoder().encode(routes).write(to: routesFile)
        let output = directory.appendingPathComponent("server.out").path

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ServerFailure(description: "pipe() failed") }
        // Only the child may hold the read end, and the child must not inherit the write end.
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let process: ChildProcess
        do {
            process = try ChildProcess(
                python3.path, ["-u", script.path, routesFile.path], outputPath: output, standardInput: fds[0])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[0])
        // The script has read both files before it prints its port, so the directory can go afterwards.
        let deadline = Date().addingTimeInterval(15)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if text.contains("\n") || !process.isRunning { break }
            usleep(10_000)
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(text) else {
            close(fds[1])
            process.terminate(grace: 2)
            throw ServerFailure(description: "the python3 test server printed '\(text)' instead of a port")
        }
        return PythonAPIServer(port: port, process: process, stdinWriter: fds[1])
    }

    /// Stops the server and waits for it to exit.
    func stop() {
        close(stdinWriter)
        process.terminate(grace: 5)
    }

    /// Runs `body` with servers for each table of routes, and stops them all whatever happens.
    static func withServers<Result>(
        _ routeTables: [[String: Route]],
        isolation: isolated (any Actor)? = #isolation,
        _ body: ([PythonAPIServer]) async throws -> Result
    ) async throws -> Result {
        var servers: [PythonAPIServer] = []
        defer { servers.forEach { $0.stop() } }
        for routes in routeTables {
            servers.append(try start(routes: routes))
        }
        return try await body(servers)
    }

    struct ServerFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static let serverScript = #"""
        import json, os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        with open(sys.argv[1]) as f:
            routes = json.load(f)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                route = routes.get(self.path)
                if route is None:
                    route = {"status": 404, "body": json.dumps(
                        {"Code": "ERROR", "Message": "no route " + self.path, "Details": None}), "delay": 0}
                time.sleep(route["delay"])
                body = route["body"].encode()
                self.send_response(route["status"])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        def exit_when_parent_goes():
            sys.stdin.read()
            os._exit(0)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=exit_when_parent_goes, daemon=True).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
