import AsyncHTTPClient
import BatonEngine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// On a Raft follower, a mutating request (and `routed-leader-check`) is sent on to the leader's API and the
/// leader's answer returned, so clients may call any node. Reads are answered locally. A request that was already
/// forwarded once is never forwarded again (no loops while leadership moves); without a known leader the answer is
/// 503.
struct LeaderForwardingMiddleware<Context: RequestContext>: RouterMiddleware {
    let raft: RaftGroupView<ContinuousClock>
    static var forwardedHeader: HTTPField.Name { HTTPField.Name("X-Baton-Forwarded")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let segments = request.uri.path.split(separator: "/")
        guard segments.count >= 2, segments[0] == "api" else { return try await next(request, context) }
        let command = String(segments[1])
        let forwardable = APIAuthentication.mutatingCommands.contains(command)
            || ["routed-leader-check", "raft-yield", "raft-yield-hint", "raft-add-peer", "raft-remove-peer"].contains(command)
        guard forwardable, !raft.isLeader else {
            if command == "routed-leader-check" {
                return raft.isLeader ? JSONBody.response("OK") : JSONBody.error("Not leader", status: .notFound)
            }
            return try await next(request, context)
        }
        guard request.headers[Self.forwardedHeader] == nil else {
            return JSONBody.error("Not the leader, and this request was already forwarded once", status: .serviceUnavailable)
        }
        // Right after an election the new leader's API may not be published yet: wait a little for it.
        var leaderAPI = raft.leaderAPI
        for _ in 0..<50 where leaderAPI == nil && !raft.isLeader {
            try await Task.sleep(for: .milliseconds(100))
            leaderAPI = raft.leaderAPI
        }
        if raft.isLeader { return try await next(request, context) }
        guard let leader = leaderAPI else {
            return JSONBody.error("No Raft leader is known: try again shortly", status: .serviceUnavailable)
        }
        var forwarded = HTTPClientRequest(url: leader + request.uri.description)
        forwarded.method = .GET
        if let authorization = request.headers[.authorization] { forwarded.headers.add(name: "Authorization", value: authorization) }
        forwarded.headers.add(name: Self.forwardedHeader.rawName, value: raft.settings.advertise)
        do {
            let response = try await HTTPClient.shared.execute(forwarded, timeout: .seconds(600))
            let body = try await response.body.collect(upTo: 64 << 20)
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("X-Baton-Leader")!] = leader
            return Response(
                status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers,
                body: .init(byteBuffer: body))
        } catch {
            return JSONBody.error("Cannot reach the leader at \(leader): \(error)", status: .badGateway)
        }
    }
}
