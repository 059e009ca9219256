import BatonCore
import BatonEngine
import Foundation
import Hummingbird

extension BatonAPI {
    /// orchestrator's analysis routes: verdicts (downtimed rows included, as orchestrator's API does; a failure the
    /// Raft group refused because a node saw the server alive shows as `UnreachableMaster`), the changelog, failure
    /// detections, and instances with problems.
    func addAnalysisRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")

        api.get("replication-analysis") { _, _ -> Response in
            JSONBody.ok("Analysis", details: coordinator.presentedAnalysis(detector.latest))
        }
        api.get("replication-analysis/:clusterName") { _, context -> Response in
            let hint = parameter(context, "clusterName") ?? ""
            let instances = monitor.registry.all()
            let name = ClusterHintResolver.resolve(hint, in: instances, defaultPort: defaultPort) ?? hint
            let rows = detector.latest.filter { $0.clusterDetails.clusterName == name }
            return JSONBody.ok("Analysis", details: coordinator.presentedAnalysis(rows))
        }
        api.get("replication-analysis/instance/:host/:port") { _, context -> Response in
            let key = try key(context)
            let rows = detector.latest.filter { $0.analyzedInstanceKey == key }
            return JSONBody.ok("Analysis", details: coordinator.presentedAnalysis(rows))
        }

        api.get("replication-analysis-changelog") { _, _ -> Response in
            let changelog = try node.failureDetections.changelog()
            let documents = changelog.keys.sorted().map { key in
                AnalysisChangelogDocument(
                    analyzedInstanceKey: key,
                    changelog: (changelog[key] ?? []).map { "\(OrchestratorTimestamp.format($0.changedAt));\($0.analysis.rawValue)," })
            }
            return JSONBody.response(documents)
        }

        let detections: @Sendable (Int) throws -> Response = { page in
            let at = now()
            return JSONBody.response(
                try node.failureDetections.detections(page: page).map {
                    FailureDetectionDocument($0, now: at, nodeHostname: nodeHostname)
                })
        }
        api.get("audit-failure-detection") { _, _ in try detections(0) }
        api.get("audit-failure-detection/:page") { _, context -> Response in
            guard let page = context.parameters.get("page", as: Int.self), page >= 0 else {
                throw APIError("Invalid page: \(parameter(context, "page") ?? "")")
            }
            return try detections(page)
        }
        api.get("audit-failure-detection/id/:id") { _, context -> Response in
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw APIError("Invalid id: \(parameter(context, "id") ?? "")")
            }
            let found = try node.failureDetections.detection(id: id).map {
                [FailureDetectionDocument($0, now: now(), nodeHostname: nodeHostname)]
            }
            return JSONBody.response(found ?? [])
        }

        let problems: @Sendable (String?) -> Response = { hint in
            let instances = monitor.registry.all()
            let cluster = hint.map { ClusterHintResolver.resolve($0, in: instances, defaultPort: defaultPort) ?? $0 }
            let documents = instances.filter { cluster == nil || $0.clusterName == cluster }.map(document)
            return JSONBody.response(documents.filter { !$0.problems.isEmpty })
        }
        api.get("problems") { _, _ in problems(nil) }
        api.get("problems/:clusterName") { _, context in problems(parameter(context, "clusterName")) }
    }
}
