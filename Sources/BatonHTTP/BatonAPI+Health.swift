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
            status.policyHash = coordinator?.policy.contentHash ?? ""
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
        api.get("leader-check") { _, _ -> Response in JSONBody.response("OK") }
        api.get("leader-check/:errorStatusCode") { _, _ -> Response in JSONBody.response("OK") }
    }
}
