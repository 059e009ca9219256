import BatonCore
import BatonEngine
import Foundation
import Hummingbird

extension BatonAPI {
    /// orchestrator's operator routes: downtimes, candidate registration, the global recovery switch.
    func addOperatorRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")

        let beginDowntime: @Sendable (BasicRequestContext) async throws -> Response = { context in
            let key = try key(context)
            guard monitor.registry.contains(key) else { throw APIError("Cannot downtime \(key): instance is not known") }
            let owner = parameter(context, "owner") ?? ""
            let reason = parameter(context, "reason") ?? ""
            guard !owner.isEmpty, !reason.isEmpty else { throw APIError("begin-downtime needs an owner and a reason") }
            let durationText = parameter(context, "duration")
            guard let seconds = DowntimeDuration.parse(durationText) else {
                throw APIError(
                    "Invalid duration \"\(durationText ?? "")\": use e.g. 30s, 10m, 2h, 1d or 1h30m (at most 36500d)")
            }
            let at = now()
            _ = try await submit(
                .beginDowntime(
                    Downtime(key: key, owner: owner, reason: reason, endsAt: at.addingTimeInterval(seconds)), beginsAt: at))
            return JSONBody.ok("\(key) downtimed", details: key)
        }
        api.get("begin-downtime/:host/:port/:owner/:reason") { _, context in try await beginDowntime(context) }
        api.get("begin-downtime/:host/:port/:owner/:reason/:duration") { _, context in try await beginDowntime(context) }

        api.get("end-downtime/:host/:port") { _, context -> Response in
            let key = try key(context)
            guard controls.downtime(of: key, at: now()) != nil, try await submit(.endDowntime(key, at: now())).count == 1
            else { throw APIError("\(key) is not downtimed") }
            return JSONBody.ok("\(key) no longer downtimed", details: key)
        }

        let downtimed: @Sendable (String?) throws -> Response = { hint in
            let instances = monitor.registry.all()
            let cluster = try hint.map { hint -> String in
                guard let name = ClusterHintResolver.resolve(hint, in: instances, defaultPort: defaultPort) else {
                    throw APIError("Unable to determine cluster name for hint \"\(hint)\"")
                }
                return name
            }
            let at = now()
            let keys = Set(controls.activeDowntimes(at: at).map(\.key))
            return JSONBody.response(
                instances.filter { keys.contains($0.key) && (cluster == nil || $0.clusterName == cluster) }.map(document))
        }
        api.get("downtimed") { _, _ in try downtimed(nil) }
        api.get("downtimed/:clusterHint") { _, context in try downtimed(parameter(context, "clusterHint")) }

        api.get("register-candidate/:host/:port/:promotionRule") { _, context -> Response in
            let key = try key(context)
            let text = parameter(context, "promotionRule") ?? ""
            guard let rule = PromotionRule(rawValue: text) else {
                throw APIError("Unknown promotion rule \"\(text)\": use prefer, neutral, prefer_not or must_not")
            }
            guard rule != .must else { throw APIError("Promotion rule must is not supported yet") }
            guard monitor.registry.contains(key) else { throw APIError("Cannot register \(key): instance is not known") }
            let at = now()
            _ = try await submit(
                .registerCandidate(
                    CandidateRegistration(
                        key: key, rule: rule, registeredAt: at,
                        expiresAt: at.addingTimeInterval(controls.candidateRegistrationLifetime))))
            return JSONBody.ok("Registered candidate \(key) as \(rule.rawValue)", details: key)
        }

        api.get("disable-global-recoveries") { _, _ -> Response in
            _ = try await submit(.setRecoveriesEnabled(false))
            return JSONBody.ok("Globally disabled recoveries", details: "disabled")
        }
        api.get("enable-global-recoveries") { _, _ -> Response in
            _ = try await submit(.setRecoveriesEnabled(true))
            return JSONBody.ok("Globally enabled recoveries", details: "enabled")
        }
        api.get("check-global-recoveries") { _, _ -> Response in
            let state = controls.recoveriesEnabled ? "enabled" : "disabled"
            return JSONBody.ok("Global recoveries \(state)", details: state)
        }
    }
}
