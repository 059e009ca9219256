import Logging
import NIOCore
import NIOPosix

extension RaftTCPTransport {
    /// Serves one peer's queue until cancelled: connects when there is something to send, writes the hello and then
    /// every queued frame, and after a failure drops what is queued and waits before trying again.
    func maintain(_ link: Link) async {
        var delay = configuration.reconnectDelay
        var failures = 0
        let clock = ContinuousClock()
        while let first = await link.queue.next() {
            var metadata: Logger.Metadata = ["baton.raft.peer": "\(link.id)"]
            guard let address = address(of: link.id) else {
                link.queue.removeAll()
                continue  // no longer known: drop until it is
            }
            metadata["baton.raft.address"] = "\(address)"
            let connectedAt = clock.now
            var connected = false
            do {
                guard let target = RaftPeerAddress(address) else {
                    throw RaftTransportError(.invalidConfiguration, "\(address) is not host:port")
                }
                let channel = try await ClientBootstrap(group: group)
                    .connectTimeout(TimeAmount(configuration.connectTimeout))
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connect(host: target.host, port: target.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                connected = true
                if failures > 0 { logger.info("raft peer reachable again", metadata: metadata) }
                failures = 0
                let hello = RaftHello(sender: configuration.nodeID, target: link.id, address: advertisedAddress)
                guard let helloFrame = codec.seal(.hello, hello.encoded()) else {
                    throw RaftTransportError(.invalidConfiguration, "the advertised address is too long")
                }
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(contentsOf: [helloFrame] + first)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            // The peer never writes: the end of its side means the connection is gone.
                            for try await _ in inbound {}
                            throw RaftConnectionClosed()
                        }
                        group.addTask {
                            while let frames = await link.queue.next() {
                                try await outbound.write(contentsOf: frames)
                            }
                        }
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
                if Task.isCancelled { return }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                metadata["baton.raft.reason"] = "\(error)"
                if failures == 1 {
                    logger.warning(
                        connected ? "raft peer connection lost" : "raft peer unreachable", metadata: metadata)
                } else {
                    logger.debug("raft peer still unreachable", metadata: metadata)
                }
            }
            // Whatever was queued is stale by the time the peer is back; Raft resends what matters.
            link.queue.removeAll()
            if connectedAt.duration(to: clock.now) >= configuration.maxReconnectDelay { delay = configuration.reconnectDelay }
            do {
                try await clock.sleep(for: delay)
            } catch {
                return
            }
            delay = min(delay * 2, configuration.maxReconnectDelay)
        }
    }
}

/// The peer closed a connection that only this node writes to.
struct RaftConnectionClosed: Error, CustomStringConvertible {
    var description: String { "closed by the peer" }
}
