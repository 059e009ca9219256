import BatonTestSupport
import Foundation
import Testing

/// `HTTPIdleTimeoutSeconds`: a client that stalls half-way through a request (or sits idle) loses its connection,
/// so slow clients cannot hold the API's connections forever; a request that has been received is answered however
/// long that takes.
@Suite(.serialized) struct IdleConnectionTests {
    @Test func aStalledRequestIsClosedButASlowAnswerIsNotCut() async throws {
        // A Raft group of three of which only this node runs: a mutating call waits about 5 s for a leader that
        // never comes, then answers 503 — an answer slower than the 1 s idle timeout.
        let raftPort = ProcessRunner.freePort()
        let daemon = try BatonDaemon(configuration: [
            "HTTPIdleTimeoutSeconds": 1, "RaftEnabled": true, "RaftBind": "127.0.0.1:\(raftPort)",
            "RaftNodes": ["127.0.0.1:\(raftPort)", "127.0.0.1:\(ProcessRunner.freePort())", "127.0.0.1:\(ProcessRunner.freePort())"],
            "RaftDataDir": FileManager.default.temporaryDirectory.appendingPathComponent("baton-idle-\(UUID().uuidString.prefix(8))").path,
        ])
        defer { daemon.tearDown() }
        #expect(await APICaller(base: daemon.apiURL).waitUntilUp(), "\(daemon.log())")

        // Half a request, then silence: the daemon closes the connection (the bound is the test's patience).
        let stalled = try await RawTCPClient.exchange(
            Array("GET /api/health HTTP/1.1\r\nHost: baton\r\n".utf8), port: daemon.port, timeout: .seconds(20))
        #expect(stalled.closed, "a stalled request kept its connection for 20 s")
        #expect(stalled.received.isEmpty)

        // A whole request whose answer takes longer than the idle timeout is answered.
        let slow = try await RawTCPClient.exchange(
            Array("GET /api/disable-global-recoveries HTTP/1.1\r\nHost: baton\r\nConnection: close\r\n\r\n".utf8),
            port: daemon.port, timeout: .seconds(30))
        let answer = String(decoding: slow.received, as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
        #expect(daemon.isRunning)
    }
}
