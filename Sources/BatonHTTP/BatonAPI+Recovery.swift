import BatonCore
import BatonEngine
import BatonStore
import Foundation
import Hummingbird

extension BatonAPI {
    /// orchestrator's recovery routes — manual operations, the recovery audit, acknowledgements — and Baton's
    /// `what-if`.
    func addRecoveryRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")

        // MARK: Manual operations

        let recover: @Sendable (BasicRequestContext, Bool) async throws -> Response = { context, lite in
            let coordinator = try recoveryCoordinator()
            let failed = try key(context)
            var candidate: InstanceKey?
            if let host = parameter(context, "candidateHost") {
                guard let text = parameter(context, "candidatePort"), let port = Int(text), (1...65535).contains(port) else {
                    throw APIError("Invalid candidate port: \(parameter(context, "candidatePort") ?? "")")
                }
                candidate = monitor.registry.resolve(InstanceKey(hostname: host, port: port))
            }
            switch await coordinator.recover(failed, candidate: candidate, skipHooks: lite) {
            case .success(let record):
                guard record.isSuccessful, let successor = record.successor else {
                    return JSONBody.response(
                        APIResponse(
                            code: .error, message: "Recovery executed on \(failed) but no instance was promoted",
                            details: document(record)),
                        status: .internalServerError)
                }
                return JSONBody.ok("Recovery executed on \(failed)", details: successor)
            case .failure(let refusal):
                throw APIError("Recovery not attempted: \(refusal.message)")
            }
        }
        for (path, lite) in [("recover", false), ("recover-lite", true)] {
            api.get("\(path)/:host/:port") { _, context in try await recover(context, lite) }
            api.get("\(path)/:host/:port/:candidateHost/:candidatePort") { _, context in try await recover(context, lite) }
        }

        let forceFailover: @Sendable (BasicRequestContext) async throws -> Response = { context in
            let coordinator = try recoveryCoordinator()
            let cluster = try self.cluster(context, instances: monitor.registry.all())
            return operationAnswer(await coordinator.forceMasterFailover(cluster: cluster), success: "Master failed over")
        }
        api.get("force-master-failover/:host") { _, context in try await forceFailover(context) }
        api.get("force-master-failover/:host/:port") { _, context in try await forceFailover(context) }

        // orchestrator's forms: /:clusterHint, /:host/:port, /:clusterHint/:designatedHost/:designatedPort,
        // /:host/:port/:designatedHost/:designatedPort. The router names positions once, so the segments are read
        // by count.
        let takeover: @Sendable (BasicRequestContext, Bool) async throws -> Response = { context, auto in
            let coordinator = try recoveryCoordinator()
            // A segment that is not valid percent-encoding must not be dropped: the others would shift into the
            // wrong positions (and none left indexed an empty array).
            let raw = ["host", "port", "third", "fourth"].compactMap { context.parameters.get($0) }
            let segments = raw.compactMap { $0.removingPercentEncoding }
            guard !segments.isEmpty, segments.count == raw.count else {
                throw APIError("Invalid path segments: \(raw.joined(separator: "/"))")
            }
            let instances = monitor.registry.all()
            let hint: String
            var designated: InstanceKey?
            switch segments.count {
            case 1: hint = segments[0]
            case 2: hint = "\(segments[0]):\(segments[1])"
            case 3:
                hint = segments[0]
                designated = try instanceKey(host: segments[1], port: segments[2])
            default:
                hint = "\(segments[0]):\(segments[1])"
                designated = try instanceKey(host: segments[2], port: segments[3])
            }
            guard let cluster = ClusterHint.resolve(hint, in: instances, defaultPort: defaultPort) else {
                throw APIError("Unable to determine cluster name for hint \"\(hint)\"")
            }
            let result = await coordinator.gracefulMasterTakeover(cluster: cluster, designated: designated, auto: auto)
            return operationAnswer(result, success: "graceful-master-takeover: successor promoted")
        }
        for (path, auto) in [("graceful-master-takeover", false), ("graceful-master-takeover-auto", true)] {
            api.get("\(path)/:host") { _, context in try await takeover(context, auto) }
            api.get("\(path)/:host/:port") { _, context in try await takeover(context, auto) }
            api.get("\(path)/:host/:port/:third") { _, context in try await takeover(context, auto) }
            api.get("\(path)/:host/:port/:third/:fourth") { _, context in try await takeover(context, auto) }
        }

        api.get("what-if/:host/:port") { _, context -> Response in
            let coordinator = try recoveryCoordinator()
            let failed = try key(context)
            do {
                return JSONBody.ok("What if \(failed) failed now", details: try await coordinator.whatIf(failed))
            } catch {
                throw APIError("\(error)")
            }
        }

        // MARK: Audit

        let audit: @Sendable (RecoveryScope, Int, Request) throws -> Response = { scope, page, request in
            let unacknowledged = request.uri.queryParameters["unacknowledged"] == "true"
            let records = try database.recoveries(scope, unacknowledgedOnly: unacknowledged, page: page)
            return JSONBody.response(records.map(document))
        }
        api.get("audit-recovery") { request, context in try audit(.all, 0, request) }
        api.get("audit-recovery/:page") { request, context in try audit(.all, try page(context), request) }
        api.get("audit-recovery/id/:id") { request, context in
            guard let id = parameter(context, "id").flatMap({ Int64($0) }) else { throw APIError("Invalid recovery id") }
            return try audit(.id(id), 0, request)
        }
        api.get("audit-recovery/uid/:uid") { request, context in try audit(.uid(parameter(context, "uid") ?? ""), 0, request) }
        api.get("audit-recovery/cluster/:clusterName") { request, context in
            try audit(.cluster(try clusterNamed(context)), 0, request)
        }
        api.get("audit-recovery/cluster/:clusterName/:page") { request, context in
            try audit(.cluster(try clusterNamed(context)), try page(context), request)
        }
        api.get("audit-recovery/alias/:alias") { request, context in
            try audit(.cluster(parameter(context, "alias") ?? ""), 0, request)
        }
        api.get("audit-recovery-steps/:uid") { request, context -> Response in
            let steps = try database.recoverySteps(uid: parameter(context, "uid") ?? "")
            return JSONBody.response(steps.map {
                TopologyRecoveryStepDocument(
                    id: $0.id, recoveryUID: $0.recoveryUID, auditAt: OrchestratorTimestamp.format($0.at), message: $0.message)
            })
        }
        api.get("active-cluster-recovery/:clusterName") { request, context -> Response in
            let records = try database.recoveries(.cluster(try clusterNamed(context)), runningOnly: true)
            return JSONBody.response(records.map(document))
        }
        api.get("recently-active-cluster-recovery/:clusterName") { request, context -> Response in
            let records = try database.recoveries(.cluster(try clusterNamed(context))).filter(isRecentlyActive)
            return JSONBody.response(records.map(document))
        }
        api.get("recently-active-instance-recovery/:host/:port") { request, context -> Response in
            let records = try database.recoveries(.instance(try key(context))).filter(isRecentlyActive)
            return JSONBody.response(records.map(document))
        }
        let blocked: @Sendable (String?) throws -> Response = { cluster in
            let since = now().addingTimeInterval(-TimeInterval(recoveryBlockSeconds))
            return JSONBody.response(try database.blockedRecoveries(cluster: cluster, since: since).map {
                BlockedRecoveryDocument(
                    failedInstanceKey: $0.failedKey, clusterName: $0.clusterName, analysis: $0.analysis,
                    lastBlockedTimestamp: OrchestratorTimestamp.format($0.lastBlockedAt),
                    blockingRecoveryId: $0.blockingRecoveryID, reason: $0.reason)
            })
        }
        api.get("blocked-recoveries") { _, _ in try blocked(nil) }
        api.get("blocked-recoveries/cluster/:clusterName") { request, context in try blocked(try clusterNamed(context)) }

        // MARK: Acknowledgement

        let acknowledge: @Sendable (RecoveryScope, Request, any Codable & Sendable) async throws -> Response = {
            scope, request, details in
            guard let comment = request.uri.queryParameters["comment"].map(String.init)?.removingPercentEncoding,
                !comment.isEmpty
            else { throw APIError("No acknowledge comment given (use ?comment=...)") }
            let owner = authentication.method == .basic ? authentication.user : "api"
            let count: Int
            if let coordinator {
                count = try await coordinator.acknowledge(scope, by: owner, comment: comment)
            } else {
                count = try await submit(.acknowledgeRecoveries(scope, by: owner, comment: comment, at: now())).count
            }
            return JSONBody.ok("Acknowledged \(count) recoveries", details: AnyCodableDetails(details))
        }
        api.get("ack-recovery/cluster/:clusterHint") { request, context in
            let hint = parameter(context, "clusterHint") ?? ""
            guard let cluster = ClusterHint.resolve(hint, in: monitor.registry.all(), defaultPort: defaultPort) else {
                throw APIError("Unable to determine cluster name for hint \"\(hint)\"")
            }
            return try await acknowledge(.cluster(cluster), request, cluster)
        }
        api.get("ack-recovery/cluster/alias/:alias") { request, context in
            let alias = parameter(context, "alias") ?? ""
            return try await acknowledge(.cluster(alias), request, alias)
        }
        api.get("ack-recovery/instance/:host/:port") { request, context in
            let key = try key(context)
            return try await acknowledge(.instance(key), request, key)
        }
        api.get("ack-recovery/uid/:uid") { request, context in
            let uid = parameter(context, "uid") ?? ""
            return try await acknowledge(.uid(uid), request, uid)
        }
        api.get("ack-recovery/:recoveryId") { request, context in
            guard let id = parameter(context, "recoveryId").flatMap({ Int64($0) }) else { throw APIError("Invalid recovery id") }
            return try await acknowledge(.id(id), request, id)
        }
        api.get("ack-all-recoveries") { request, context in
            let comment = request.uri.queryParameters["comment"].map(String.init) ?? ""
            return try await acknowledge(.all, request, comment)
        }
    }

    // MARK: - Helpers

    func recoveryCoordinator() throws -> RecoveryCoordinator<ContinuousClock> {
        guard let coordinator else { throw APIError("Recoveries are not available on this node") }
        return coordinator
    }

    func operationAnswer(_ result: Result<RecoveryRecord, RecoveryRefusal>, success: String) -> Response {
        switch result {
        case .success(let record) where record.isSuccessful:
            return JSONBody.ok(success, details: document(record))
        case .success(let record):
            return JSONBody.response(
                APIResponse(code: .error, message: "Recovery failed: " + record.errors.joined(separator: "; "),
                    details: document(record)),
                status: .internalServerError)
        case .failure(let refusal):
            let stored = refusal.recovery.flatMap { try? database.recoveries(.uid($0.uid)).first }
            return JSONBody.response(
                APIResponse(code: .error, message: "Recovery not attempted: \(refusal.message)", details: stored.map(document)),
                status: .internalServerError)
        }
    }

    func document(_ record: RecoveryRecord) -> TopologyRecoveryDocument {
        TopologyRecoveryDocument(
            id: record.id, uid: record.uid,
            analysisEntry: try? JSONDecoder().decode(ReplicationAnalysis.self, from: record.analysisDocument),
            successorKey: record.successor, successorAlias: record.successorAlias, isActive: isActive(record),
            isSuccessful: record.isSuccessful, lostReplicas: record.lostReplicas,
            participatingInstanceKeys: record.participatingInstances, allErrors: record.errors,
            recoveryStartTimestamp: OrchestratorTimestamp.format(record.startedAt),
            recoveryEndTimestamp: record.endedAt.map(OrchestratorTimestamp.format) ?? "",
            processingNodeHostname: record.processingNode, acknowledged: record.acknowledged,
            acknowledgedAt: record.acknowledgedAt.map(OrchestratorTimestamp.format) ?? "",
            acknowledgedBy: record.acknowledgedBy, acknowledgedComment: record.acknowledgedComment,
            lastDetectionId: record.lastDetectionID, type: record.kind.rawValue, command: record.command,
            isAttempted: record.attempted, policyHash: record.policyHash)
    }

    /// orchestrator's "in active period": running, or attempted and ended within `RecoveryPeriodBlockSeconds`,
    /// and not acknowledged.
    func isActive(_ record: RecoveryRecord) -> Bool {
        guard !record.acknowledged else { return false }
        guard let ended = record.endedAt else { return true }
        return record.attempted && ended.addingTimeInterval(TimeInterval(recoveryBlockSeconds)) > now()
    }

    func isRecentlyActive(_ record: RecoveryRecord) -> Bool {
        guard let ended = record.endedAt else { return true }
        return ended.addingTimeInterval(TimeInterval(recoveryBlockSeconds)) > now()
    }

    func page(_ context: some RequestContext) throws -> Int {
        guard let page = parameter(context, "page").flatMap({ Int($0) }), page >= 0 else { throw APIError("Invalid page") }
        return page
    }

    func clusterNamed(_ context: some RequestContext) throws -> String {
        let hint = parameter(context, "clusterName") ?? ""
        return ClusterHint.resolve(hint, in: monitor.registry.all(), defaultPort: defaultPort) ?? hint
    }

    func instanceKey(host: String, port: String) throws -> InstanceKey {
        guard let port = Int(port), (1...65535).contains(port), !host.isEmpty else {
            throw APIError("Invalid instance \(host):\(port)")
        }
        return monitor.registry.resolve(InstanceKey(hostname: host, port: port))
    }
}

/// Lets a route pass details of different types through one closure.
struct AnyCodableDetails: Codable, Sendable {
    let encodeValue: @Sendable (any Encoder) throws -> Void

    init(_ value: any Codable & Sendable) {
        encodeValue = { encoder in try value.encode(to: encoder) }
    }

    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "details are encode-only"))
    }

    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
