import BatonEngine
import HTTPTypes
import Hummingbird

extension BatonAPI {
    /// Health and leadership. A single node (no Raft) is always its own leader.
    func addHealthRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")
        let healthStatus: @Sendable () -> HealthStatus = {
            let node = HealthStatus.ActiveNode(hostname: nodeHostname, token: "")
            var status = HealthStatus(
                healthy: true, hostname: nodeHostname, token: "", isActiveNode: true, activeNode: node, error: nil,
                availableNodes: [node], raftLeader: "", isRaftLeader: false, raftLeaderURI: "", raftAdvertise: "",
                raftHealthyMembers: [])
            status.policyHash = coordinator.policy.contentHash
            if let raft {
                status.isRaftLeader = raft.isLeader
                status.isActiveNode = raft.isLeader
                status.raftLeader = raft.leaderAddress ?? ""
                status.raftLeaderURI = raft.leaderAPI ?? ""
                status.raftAdvertise = raft.settings.advertise
                status.raftHealthyMembers = raft.groupStatus.recentlyActivePeers
                    + [raft.settings.advertise]
                status.healthy = raft.isHealthy
            } else {
                status.isRaftLeader = true
            }
            return status
        }
        api.get("health") { _, _ -> Response in
            JSONBody.ok("Application node is healthy", details: healthStatus())
        }
        api.get("status") { _, _ -> Response in
            JSONBody.ok("Application node is healthy", details: healthStatus())
        }
        api.get("lb-check") { _, _ -> Response in JSONBody.response("OK") }
        api.get("_ping") { _, _ -> Response in JSONBody.response("OK") }
        // 200 only on the leader (a single node always leads); otherwise 404 or the code asked for.
        let leaderCheck: @Sendable (Int?) -> Response = { code in
            guard let raft, !raft.isLeader else { return JSONBody.response("OK") }
            let status = code.flatMap { (100...599).contains($0) ? HTTPResponse.Status(code: $0) : nil } ?? .notFound
            return JSONBody.response("Not leader", status: status)
        }
        api.get("leader-check") { _, _ -> Response in leaderCheck(nil) }
        api.get("leader-check/:errorStatusCode") { _, context -> Response in
            leaderCheck(context.parameters.get("errorStatusCode").flatMap { Int($0) })
        }
        api.get("routed-leader-check") { _, _ -> Response in leaderCheck(nil) }
    }
}
