import BatonCore
import BatonEngine
import Foundation
import HTTPTypes
import Hummingbird

/// The calls between the nodes of a Raft group, under `/api/baton-peer/` (signed with `RaftSharedSecret`, see
/// `PeerSignature`): a voter's view for a confirmation round, and a follower reporting its API to the leader.
extension BatonAPI {
    /// The largest peer request body (a view request names a failed server and its replicas).
    static let peerBodyLimit = 1 << 20

    func addPeerRoutes(to router: Router<BasicRequestContext>) {
        let peer = router.group("api/baton-peer")

        // Looks again at the failed server and its replicas, now, and answers this node's view.
        peer.post("view") { request, _ -> Response in
            let (body, requestSignature) = try await signedBody(request)
            guard let confirmation = node.confirmation else {
                throw APIError("this node is not part of a Raft group", status: .notFound)
            }
            let asked: PeerViewRequest
            do {
                asked = try JSONDecoder().decode(PeerViewRequest.self, from: body)
            } catch {
                throw APIError("not a view request: \(error)", status: .badRequest)
            }
            guard asked.keys.count <= 10_000 else { throw APIError("too many servers in one view request", status: .badRequest) }
            let view = await confirmation.localView(asked)
            return signedResponse(try JSONEncoder().encode(view), to: requestSignature)
        }

        // A follower's API, proposed to the log by the leader so that every node knows where to ask its peers.
        peer.post("node-api") { request, _ -> Response in
            let (body, requestSignature) = try await signedBody(request)
            guard let raft else { throw APIError("this node is not part of a Raft group", status: .notFound) }
            guard raft.isLeader else { throw APIError("this node is not the Raft leader", status: .serviceUnavailable) }
            let report: NodeAPIReport
            do {
                report = try JSONDecoder().decode(NodeAPIReport.self, from: body)
            } catch {
                throw APIError("not a node API report: \(error)", status: .badRequest)
            }
            guard raft.groupStatus.members.contains(where: { $0.id == report.node }) else {
                throw APIError("node \(report.node) is not a member of the Raft group", status: .badRequest)
            }
            guard let url = URL(string: report.url), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw APIError("\(report.url) is not an http(s) URL", status: .badRequest)
            }
            _ = try await submit(.nodeAPI(node: report.node, url: report.url))
            return signedResponse(try JSONEncoder().encode(report), to: requestSignature)
        }
    }

    /// The request's body, once its signature checks out (when the group has a secret); and that signature.
    func signedBody(_ request: Request) async throws -> (Data, String) {
        let buffer = try await request.body.collect(upTo: Self.peerBodyLimit)
        let body = Data(buffer.readableBytesView)
        guard let signer = PeerSignature(secret: node.configuration.raft.sharedSecret.value) else { return (body, "") }
        let signature = request.headers[HTTPField.Name(PeerSignature.signatureHeader)!]
        if let refusal = signer.refusal(
            method: request.method.rawValue, path: request.uri.path,
            time: request.headers[HTTPField.Name(PeerSignature.timeHeader)!], signature: signature, body: body, now: now())
        {
            throw APIError(refusal, status: .unauthorized)
        }
        return (body, signature ?? "")
    }

    /// A JSON answer, signed over the request's signature when the group has a secret.
    func signedResponse(_ body: Data, to requestSignature: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signer = PeerSignature(secret: node.configuration.raft.sharedSecret.value) {
            headers[HTTPField.Name(PeerSignature.signatureHeader)!] = signer.response(to: requestSignature, body: body)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `POST /api/baton-peer/node-api`: where a node's API is.
struct NodeAPIReport: Codable, Sendable {
    var node: UInt64
    var url: String
}
