import BatonCore
import BatonEngine
import Hummingbird

extension BatonAPI {
    func addClusterRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")

        api.get("clusters") { _, _ -> Response in
            JSONBody.response(ClusterInfo.summarize(monitor.registry.all()).map(\.clusterName))
        }
        api.get("clusters-info") { _, _ -> Response in
            JSONBody.response(ClusterInfo.summarize(monitor.registry.all()))
        }

        let clusterMembers: @Sendable (BasicRequestContext) throws -> Response = { context in
            let instances = monitor.registry.all()
            let name = try cluster(context, instances: instances)
            return JSONBody.response(instances.filter { $0.clusterName == name }.map(document))
        }
        api.get("cluster/:host") { _, context in try clusterMembers(context) }
        api.get("cluster/instance/:host/:port") { _, context in try clusterMembers(context) }

        let clusterInfo: @Sendable (BasicRequestContext) throws -> Response = { context in
            let instances = monitor.registry.all()
            let name = try cluster(context, instances: instances)
            guard let info = ClusterInfo.summarize(instances.filter { $0.clusterName == name }).first else {
                throw APIError("Unable to determine cluster name")
            }
            return JSONBody.response(info)
        }
        api.get("cluster-info/:host") { _, context in try clusterInfo(context) }
        api.get("cluster-info/:host/:port") { _, context in try clusterInfo(context) }

        api.get("masters") { _, _ -> Response in
            let instances = monitor.registry.all()
            let primaries = Set(instances.map(\.clusterName)).sorted().compactMap {
                ClusterHintResolver.primary(of: $0, in: instances)
            }
            return JSONBody.response(primaries.filter { !$0.facts.readOnly && $0.hasBeenSeen }.map(document))
        }

        let primary: @Sendable (BasicRequestContext) throws -> Response = { context in
            let instances = monitor.registry.all()
            let name = try cluster(context, instances: instances)
            guard let primary = ClusterHintResolver.primary(of: name, in: instances) else {
                throw APIError("Unable to determine master of cluster \(name)")
            }
            return JSONBody.response(document(primary))
        }
        api.get("master/:host") { _, context in try primary(context) }
        api.get("master/:host/:port") { _, context in try primary(context) }

        let topology: @Sendable (BasicRequestContext) throws -> Response = { context in
            let instances = monitor.registry.all()
            let name = try cluster(context, instances: instances)
            let tree = TopologyTree.render(instances.filter { $0.clusterName == name }, pollSeconds: pollSeconds)
            return JSONBody.ok("Topology of \(name)", details: tree)
        }
        api.get("topology/:host") { _, context in try topology(context) }
        api.get("topology/:host/:port") { _, context in try topology(context) }
    }
}
