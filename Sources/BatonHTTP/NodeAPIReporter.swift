import BatonEngine
import Foundation
import Logging
import ServiceLifecycle

/// Makes sure the leader knows this node's API (`HTTPAdvertise`), so that it can ask this node for its view in a
/// confirmation round: a follower whose API the replicated state does not hold (or holds wrong) reports it to the
/// leader as soon as the leader has published its own API — looking every `pendingInterval` until it is recorded,
/// then only on leadership changes and every `retryInterval`. A leader records its own API when it takes office
/// (`leaderAPI`).
struct NodeAPIReporter: Service {
    let raft: RaftGroupView<ContinuousClock>
    let call: PeerCall
    let logger: Logger
    /// How often a recorded API is checked again (and on every leadership change).
    static let retryInterval: Duration = .seconds(3)
    /// How often an unrecorded API is looked at: right after an election the leader publishes its API within
    /// milliseconds, and the first confirmation round may follow within seconds.
    static let pendingInterval: Duration = .milliseconds(200)

    func run() async throws {
        let clock = ServiceClock(ContinuousClock())
        let stopwatch = ContinuousClock()
        await cancelWhenGracefulShutdown {
            var lastWarning: ContinuousClock.Instant?
            while !Task.isCancelled {
                let seen = raft.leadershipChanged.generation
                if let failure = await reportIfNeeded() {
                    // Retried every 200 ms while the leader cannot be reached: say so every 10 s, not each time.
                    if lastWarning.map({ stopwatch.now - $0 >= .seconds(10) }) ?? true {
                        lastWarning = stopwatch.now
                        logger.warning("Cannot report this node's API to the leader", metadata: ["baton.error": "\(failure)"])
                    }
                }
                let pending = raft.publishedOwnAPI != raft.settings.httpAdvertise && !raft.isLeader
                _ = await raft.leadershipChanged.wait(
                    after: seen, timeout: pending ? Self.pendingInterval : Self.retryInterval, on: clock)
            }
        }
    }

    /// Reports this node's API when needed; the error when a report failed.
    func reportIfNeeded() async -> (any Error)? {
        let own = raft.settings.httpAdvertise
        guard raft.publishedOwnAPI != own, !raft.isLeader, let leader = raft.leaderAPI else { return nil }
        do {
            let body = try JSONEncoder().encode(NodeAPIReport(node: raft.settings.selfID, url: own))
            _ = try await call.post("/api/baton-peer/node-api", to: leader, body: body, timeout: .seconds(5))
            logger.info("API reported to the leader", metadata: ["baton.api": "\(own)", "baton.raft.leader_api": "\(leader)"])
            return nil
        } catch {
            return error
        }
    }
}
