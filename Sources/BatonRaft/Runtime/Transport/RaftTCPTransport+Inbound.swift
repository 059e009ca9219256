import Logging
import NIOCore
import Synchronization

extension RaftTCPTransport {
    /// Accepts connections until cancelled, each served by its own task.
    func accept(deliver: @escaping @Sendable (RaftMessage) -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await self.serve(connection, deliver: deliver) }
                }
            }
        }
    }

    /// Reads one inbound connection: a hello, then messages for this node from the peer that said hello. The first
    /// frame that is malformed, unauthenticated, too large or out of place closes the connection.
    func serve(_ connection: NIOAsyncChannel<ByteBuffer, Never>, deliver: @escaping @Sendable (RaftMessage) -> Void)
        async
    {
        let remote = connection.channel.remoteAddress.map { "\($0)" } ?? "unknown"
        let admitted = state.withLock { state in
            guard state.inboundConnections < configuration.maxInboundConnections else { return false }
            state.inboundConnections += 1
            return true
        }
        guard admitted else {
            logger.warning(
                "raft connection refused: too many inbound connections",
                metadata: ["baton.raft.remote": "\(remote)", "baton.raft.limit": "\(configuration.maxInboundConnections)"])
            try? await connection.channel.close()
            return
        }
        defer { state.withLock { $0.inboundConnections -= 1 } }

        var peer: RaftNodeID?
        do {
            try await connection.executeThenClose { frames in
                for try await frame in frames {
                    let (kind, payload) = try codec.open(frame)
                    switch kind {
                    case .hello:
                        guard peer == nil else { throw RaftFrameError(.unexpected, "a second hello") }
                        let hello: RaftHello
                        do {
                            hello = try RaftHello(decoding: payload)
                        } catch {
                            throw RaftFrameError(.malformed, "hello: \(error)")
                        }
                        guard hello.target == configuration.nodeID else {
                            throw RaftFrameError(
                                .unexpected,
                                "node \(hello.sender) meant to reach node \(hello.target) at this address; this is node "
                                    + "\(configuration.nodeID)")
                        }
                        guard RaftPeerAddress(hello.address) != nil else {
                            throw RaftFrameError(.malformed, "hello address \(hello.address) is not host:port")
                        }
                        peer = hello.sender
                        learn(hello.sender, address: hello.address)
                        logger.debug(
                            "raft connection from peer",
                            metadata: ["baton.raft.peer": "\(hello.sender)", "baton.raft.remote": "\(remote)"])
                    case .message:
                        guard let peer else { throw RaftFrameError(.unexpected, "a message before the hello") }
                        let message: RaftMessage
                        do {
                            message = try RaftMessage(decoding: payload)
                        } catch {
                            throw RaftFrameError(.malformed, "message: \(error)")
                        }
                        guard message.from == peer, message.to == configuration.nodeID else {
                            throw RaftFrameError(
                                .unexpected,
                                "a message from node \(message.from) to node \(message.to) on node \(peer)'s connection")
                        }
                        deliver(message)
                    }
                }
            }
        } catch is CancellationError {
            return
        } catch {
            logger.warning(
                "raft connection closed: rejected frame",
                metadata: [
                    "baton.raft.remote": "\(remote)", "baton.raft.peer": "\(peer.map { "\($0)" } ?? "unknown")",
                    "baton.raft.reason": "\(error)",
                ])
        }
    }
}
