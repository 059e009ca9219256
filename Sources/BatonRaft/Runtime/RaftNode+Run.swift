import Logging
import ServiceLifecycle
import Synchronization

extension RaftNode {
    /// Runs the node until the task is cancelled or a graceful shutdown is triggered: loads the storage (and
    /// bootstraps a new cluster if configured), restores the application, then ticks, receives and handles Ready
    /// batches. Requests still waiting when it stops fail with `.stopped`.
    ///
    /// - Throws: ``RaftNodeError`` when the storage or the application fails (the node cannot go on safely), or the
    ///   transport's error.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.runUntilStopped()
        } onGracefulShutdown: {
            self.inbox.close()
        }
    }

    private func runUntilStopped() async throws {
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let inbox = self.inbox
                    try await self.transport.run { message in inbox.push(.message(message)) }
                }
                group.addTask { try await self.tickUntilStopped() }
                group.addTask { try await self.handleEventsUntilStopped() }
                // The loop ends first (its inbox closed, or it failed); the others follow.
                _ = try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // Stopped by cancellation: a child noticed it first.
        } catch {
            failure = error
            logger.critical(
                "raft node stopped by an error", metadata: ["baton.raft.error": "\(String(describing: error))"])
        }
        stop()
        if let failure { throw failure }
    }

    private func tickUntilStopped() async throws {
        let interval = configuration.tickInterval
        var deadline = clock.now.advanced(by: interval)
        while true {
            try await clock.sleep(until: deadline, tolerance: nil)
            guard inbox.push(.tick) else { return }
            deadline = deadline.advanced(by: interval)
            let now = clock.now
            if deadline < now { deadline = now.advanced(by: interval) }  // starved: skip ticks rather than burst
        }
    }

    private func handleEventsUntilStopped() async throws {
        let loop = try await RaftNodeLoop(node: self)
        do {
            while let events = await inbox.next() {
                try await loop.handle(events)
            }
            loop.failAll(RaftNodeError(.stopped, "the Raft node stopped"))
        } catch {
            loop.failAll(RaftNodeError(.stopped, "the Raft node stopped after an error: \(error)"))
            throw error
        }
    }

    /// Fails what is left, marks the node stopped and ends the leadership streams.
    private func stop() {
        for case .request(let request) in inbox.takeRemaining() {
            request.reply.resolve(.failure(RaftNodeError(.stopped, "the Raft node stopped")))
        }
        let subscribers = shared.withLock { shared in
            shared.running = false
            shared.stopped = true
            shared.leadership.isLeader = false
            defer { shared.subscribers = [:] }
            return (Array(shared.subscribers.values), shared.leadership)
        }
        for continuation in subscribers.0 {
            continuation.yield(subscribers.1)
            continuation.finish()
        }
        logger.info("raft node stopped")
    }
}
