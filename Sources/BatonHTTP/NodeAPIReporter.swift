import BatonEngine
import Foundation
import Logging
import ServiceLifecycle

/// Makes sure the leader knows this node's API (`HTTPAdvertise`), so that it can ask this node for its view in a
/// confirmation round: a follower whose API the replicated state does not hold (or holds wrong) reports it to the
/// leader, on every leadership change and every few seconds until it is recorded. A leader records its own API when
/// it takes office (`leaderAPI`).
struct NodeAPIReporter: Service {
    let raft: RaftGroupView<ContinuousClock>
    let call: PeerCall
    let logger: Logger
    /// How often an unrecorded API is reported again.
    static let retryInterval: Duration = .seconds(3)

    func run() async throws {
        let clock = ServiceClock(ContinuousClock())
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let seen = raft.leadershipChanged.generation
                await reportIfNeeded()
                _ = await raft.leadershipChanged.wait(after: seen, timeout: Self.retryInterval, on: clock)
            }
        }
    }

    /// Reports this node's API when needed; false when a report failed.
    @discardableResult
    func reportIfNeeded() async -> Bool {
        let own = raft.settings.httpAdvertise
        guard raft.publishedOwnAPI != own, !raft.isLeader, let leader = raft.leaderAPI else { return true }
        do {
            let body = try JSONEncoder().encode(NodeAPIReport(node: raft.settings.selfID, url: own))
            _ = try await call.post("/api/baton-peer/node-api", to: leader, body: body, timeout: .seconds(5))
            logger.info("API reported to the leader", metadata: ["baton.api": "\(own)", "baton.raft.leader_api": "\(leader)"])
            return true
        } catch {
            logger.warning("Cannot report this node's API to the leader", metadata: ["baton.error": "\(error)"])
            return false
        }
    }
}
