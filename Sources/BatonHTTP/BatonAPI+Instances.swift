import BatonCore
import BatonEngine
import Hummingbird

extension BatonAPI {
    func addInstanceRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")

        api.get("discover/:host/:port") { _, context -> Response in
            let key = try self.key(context)
            do {
                let instance = try await monitor.discover(key)
                // Every Raft node watches what any node discovered.
                if raft != nil { _ = try? await commands.submit(.discover(instance.key)) }
                return JSONBody.ok("Instance discovered: \(instance.key)", details: document(instance))
            } catch {
                throw APIError("\(error)")
            }
        }

        api.get("forget/:host/:port") { _, context -> Response in
            let key = try self.key(context)
            guard monitor.registry.contains(key), try await submit(.forget(key)).count == 1 else {
                throw APIError("Cannot forget \(key): instance is not known")
            }
            return JSONBody.ok("Instance forgotten: \(key)", details: key)
        }

        api.get("forget-cluster/:host") { _, context -> Response in
            let cluster = try self.cluster(context, instances: monitor.registry.all())
            let count = try await submit(.forgetCluster(cluster)).count
            return JSONBody.ok("Forgot \(count) instances of cluster \(cluster)", details: cluster)
        }

        api.get("instance/:host/:port") { _, context -> Response in
            let key = try self.key(context)
            guard let instance = monitor.registry.instance(key), instance.hasBeenSeen || instance.lastChecked != nil
            else {
                throw APIError("Cannot read instance: \(key)")
            }
            return JSONBody.response(document(instance))
        }

        api.get("instance-replicas/:host/:port") { _, context -> Response in
            let key = try self.key(context)
            let instances = monitor.registry.all()
            guard instances.contains(where: { $0.key == key }) else {
                throw APIError("Cannot read instance: \(key)")
            }
            return JSONBody.response(instances.filter { $0.sourceKey == key }.map(document))
        }

        api.get("all-instances") { _, _ -> Response in
            JSONBody.response(monitor.registry.all().map(document))
        }

        let search: @Sendable (String) -> Response = { text in
            let needle = text.lowercased()
            let found = monitor.registry.all().filter {
                !needle.isEmpty && $0.key.description.lowercased().contains(needle)
            }
            return JSONBody.response(found.map(document))
        }
        api.get("search") { request, _ -> Response in
            search(request.uri.queryParameters.get("s") ?? "")
        }
        api.get("search/:s") { _, context -> Response in
            search(parameter(context, "s") ?? "")
        }
    }
}
