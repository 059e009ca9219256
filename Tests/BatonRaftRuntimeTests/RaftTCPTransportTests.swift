import BatonTestSupport
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import BatonRaft

/// The TCP transport over real sockets on 127.0.0.1: delivery, and what it does with bytes it must not trust.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RaftTCPTransportTests {
    /// A transport running in a task, with the messages it received.
    final class Running: Sendable {
        let transport: RaftTCPTransport
        let received = Mutex<[RaftMessage]>([])
        let task: Mutex<Task<Void, any Error>?> = Mutex(nil)

        init(_ id: RaftNodeID, secret: String? = nil, port: Int = 0) async throws {
            var logger = Logger(label: "baton.raft.test")
            logger.logLevel = .critical
            transport = try await RaftTCPTransport.bind(
                .init(
                    nodeID: id, host: "127.0.0.1", port: port, sharedSecret: secret, maxFrameSize: 64 * 1024,
                    reconnectDelay: .milliseconds(10), maxReconnectDelay: .milliseconds(100)),
                logger: logger)
            let running = Task { [self] in
                try await self.transport.run { message in self.received.withLock { $0.append(message) } }
            }
            task.withLock { $0 = running }
        }

        var port: Int { RaftPeerAddressForTests.port(of: transport.localAddress) }
        var messages: [RaftMessage] { received.withLock { $0 } }

        func stop() async {
            let task = task.withLock { $0 }
            task?.cancel()
            _ = await task?.result
        }
    }

    func heartbeat(_ from: RaftNodeID, _ to: RaftNodeID, _ n: UInt64) -> RaftMessage {
        RaftMessage(from: from, to: to, term: n, payload: .heartbeat(.init(commit: n)))
    }

    /// Sends `bytes` on a fresh connection to `port`; true when the node then closes the connection.
    func closesConnection(after bytes: [UInt8], port: Int) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        for try await _ in inbound {}
                    } catch {}  // a reset is a close too
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return false
                }
                let closed = try await group.next()!
                group.cancelAll()
                return closed
            }
        }
    }

    func frame(_ kind: RaftFrame.Kind, _ payload: [UInt8], secret: String?) -> [UInt8] {
        let codec = RaftFrameCodec(secret: secret.map { Array($0.utf8) }, maxFrameSize: 64 * 1024)
        return Array(codec.seal(kind, payload)!.readableBytesView)
    }

    @Test(arguments: [nil, "s3cret"])
    func messagesFlowBothWays(secret: String?) async throws {
        let one = try await Running(1, secret: secret)
        let two = try await Running(2, secret: secret)
        one.transport.updatePeers([2: two.transport.advertisedAddress])
        // Node 2 has no configured address for node 1: it answers through the address node 1's hello announced.
        try await requireEventually("node 2 receives") {
            one.transport.send(heartbeat(1, 2, 1))
            return !two.messages.isEmpty
        }
        two.transport.send(heartbeat(2, 1, 2))
        try await requireEventually("node 1 receives") { one.messages.contains(heartbeat(2, 1, 2)) }
        #expect(two.messages.allSatisfy { $0 == heartbeat(1, 2, 1) })
        await one.stop()
        await two.stop()
    }

    @Test func garbageClosesTheConnectionAndTheNodeKeepsWorking() async throws {
        let secret = "s3cret"
        let one = try await Running(1, secret: secret)
        let two = try await Running(2, secret: secret)
        one.transport.updatePeers([2: two.transport.advertisedAddress])
        let hello = RaftHello(sender: 9, target: 2, address: "127.0.0.1:1").encoded()
        var oversized: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF]
        oversized += [UInt8](repeating: 1, count: 64)
        var wrongLength: [UInt8] = [0, 0, 0, 1]
        wrongLength += [1]
        let attacks: [(String, [UInt8])] = [
            ("random garbage", (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }),
            ("an HTTP request", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("a frame longer than the limit", oversized),
            ("a frame shorter than its header", wrongLength),
            ("a hello under the wrong secret", frame(.hello, hello, secret: "guess")),
            ("a hello without a MAC", frame(.hello, hello, secret: nil)),
            ("a message before the hello", frame(.message, heartbeat(9, 2, 1).encoded(), secret: secret)),
            (
                "a message from another node than the hello's",
                frame(.hello, hello, secret: secret) + frame(.message, heartbeat(8, 2, 1).encoded(), secret: secret)
            ),
            (
                "a hello for another node",
                frame(.hello, RaftHello(sender: 9, target: 5, address: "127.0.0.1:1").encoded(), secret: secret)
            ),
            ("a message that does not decode", frame(.hello, hello, secret: secret) + frame(.message, [1, 2, 3], secret: secret)),
        ]
        for (name, bytes) in attacks {
            let closed = try await closesConnection(after: bytes, port: two.port)
            #expect(closed, "the node keeps a connection open after \(name)")
        }
        #expect(two.messages.isEmpty, "a rejected frame reached the node")
        // The node still accepts its real peer.
        try await requireEventually("node 2 still receives from node 1") {
            one.transport.send(heartbeat(1, 2, 3))
            return two.messages.contains(heartbeat(1, 2, 3))
        }
        await one.stop()
        await two.stop()
    }

    @Test func aPeerThatMovedIsReachedAtItsNewAddress() async throws {
        let one = try await Running(1)
        var two = try await Running(2)
        one.transport.updatePeers([2: two.transport.advertisedAddress])
        try await requireEventually("node 2 receives at its first address") {
            one.transport.send(heartbeat(1, 2, 1))
            return !two.messages.isEmpty
        }
        await two.stop()
        two = try await Running(2)  // same id, new port
        one.transport.updatePeers([2: two.transport.advertisedAddress])
        try await requireEventually("node 2 receives at its new address") {
            one.transport.send(heartbeat(1, 2, 2))
            return two.messages.contains(heartbeat(1, 2, 2))
        }
        await one.stop()
        await two.stop()
    }

    @Test func anUnreachablePeersQueueStaysBounded() async throws {
        let one = try await Running(1)
        let gone = try await Running(2)
        let address = gone.transport.advertisedAddress
        await gone.stop()
        one.transport.updatePeers([2: address])
        for n in 0..<20_000 { one.transport.send(heartbeat(1, 2, UInt64(n))) }
        try await requireEventually("frames to the unreachable peer are dropped") { one.transport.droppedFrames > 0 }
        await one.stop()
    }

    @Test func messagesTooLargeForAFrameAreDropped() async throws {
        let one = try await Running(1)
        let two = try await Running(2)
        one.transport.updatePeers([2: two.transport.advertisedAddress])
        let big = RaftMessage(
            from: 1, to: 2, term: 1,
            payload: .appendEntries(
                .init(
                    previous: .zero, entries: [RaftEntry(index: 1, term: 1, data: [UInt8](repeating: 0, count: 70_000))],
                    commit: 0)))
        one.transport.send(big)
        try await requireEventually("a normal message still arrives") {
            one.transport.send(heartbeat(1, 2, 5))
            return two.messages.contains(heartbeat(1, 2, 5))
        }
        #expect(!two.messages.contains(big))
        await one.stop()
        await two.stop()
    }
}
