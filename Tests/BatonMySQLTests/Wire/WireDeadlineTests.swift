import Logging
import NIOCore
import NIOPosix
import Testing

@testable import BatonMySQL

/// Real sockets on loopback; only error codes are asserted, never wall-clock durations.
@Suite("Wire deadlines on real sockets")
struct WireDeadlineTests {
    /// A TCP server that accepts connections and never says anything.
    private func silentServer(group: any EventLoopGroup) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    @Test func silentServerFailsWithConnectTimeout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await self.silentServer(group: group)
        let port = try #require(server.localAddress?.port)
        let configuration = MySQLConnectionConfiguration(
            host: "127.0.0.1", port: port, user: "baton", password: "secret", connectTimeout: .milliseconds(200)
        )
        await #expect {
            _ = try await MySQLConnection.connect(to: configuration, on: group, logger: Logger(label: "test"))
        } throws: { error in
            (error as? MySQLError)?.code == .connectTimeout
        }
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test func refusedConnectionFailsWithConnectFailed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Port 1 on loopback: privileged and unused, so nothing listens there. (A port freed by closing a test
        // listener can be reused at once by parallel tests, which made this flaky.)
        let port = 1
        let configuration = MySQLConnectionConfiguration(
            host: "127.0.0.1", port: port, user: "baton", password: "secret", connectTimeout: .seconds(2)
        )
        await #expect {
            _ = try await MySQLConnection.connect(to: configuration, on: group, logger: Logger(label: "test"))
        } throws: { error in
            (error as? MySQLError)?.code == .connectFailed
        }
        try await group.shutdownGracefully()
    }

    @Test func cancelledConnectFailsWithCancelled() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await self.silentServer(group: group)
        let port = try #require(server.localAddress?.port)
        let configuration = MySQLConnectionConfiguration(
            host: "127.0.0.1", port: port, user: "baton", password: "secret", connectTimeout: .seconds(30)
        )
        let task = Task {
            try await MySQLConnection.connect(to: configuration, on: group, logger: Logger(label: "test"))
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect {
            _ = try await task.value
        } throws: { error in
            (error as? MySQLError)?.code == .cancelled
        }
        try await server.close()
        try await group.shutdownGracefully()
    }
}
