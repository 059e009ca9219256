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
        let first = await forward(request, to: leader)
        guard case .failure(let error) = first, LeaderForwardingClient.isConnectFailure(error) else {
            return Self.response(first, leader: leader)
        }
        // The leader this node believed in is gone (its connect failed, nothing was sent): wait up to two election
        // timeouts for another one and send the call there once; else say so at once, with Retry-After.
        let electionTimeout = Duration.milliseconds(raft.settings.tickMilliseconds * 10)
        let clock = ContinuousClock()
        let deadline = clock.now + electionTimeout * 2
        var successor = raft.leaderAPI
        while clock.now < deadline, !raft.isLeader, successor == nil || successor == leader {
            try await Task.sleep(for: .milliseconds(50))
            successor = raft.leaderAPI
        }
        if raft.isLeader { return try await next(request, context) }
        guard let successor, successor != leader else {
            var response = JSONBody.error(
                "The Raft leader at \(leader) cannot be reached (\(error)) and no other leader is known yet: retry shortly",
                status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        }
        return Self.response(await forward(request, to: successor), leader: successor)
    }

    /// Sends `request` to the leader's API; the answer, or why it could not be had.
    func forward(_ request: Request, to leader: String) async -> Result<(HTTPClientResponse, ByteBuffer), any Error> {
        var forwarded = HTTPClientRequest(url: leader + request.uri.description)
        forwarded.method = .GET
        if let authorization = request.headers[.authorization] { forwarded.headers.add(name: "Authorization", value: authorization) }
        forwarded.headers.add(name: Self.forwardedHeader.rawName, value: raft.settings.advertise)
        do {
            let response = try await LeaderForwardingClient.shared.execute(forwarded, timeout: .seconds(600))
            return .success((response, try await response.body.collect(upTo: 64 << 20)))
        } catch {
            return .failure(error)
        }
    }

    /// The leader's answer as this node returns it, or 502 naming the leader.
    static func response(_ result: Result<(HTTPClientResponse, ByteBuffer), any Error>, leader: String) -> Response {
        switch result {
        case .success(let (response, body)):
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("X-Baton-Leader")!] = leader
            return Response(
                status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers,
                body: .init(byteBuffer: body))
        case .failure(let error):
            return JSONBody.error("Cannot reach the leader at \(leader): \(error)", status: .badGateway)
        }
    }
}
