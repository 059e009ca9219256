import AsyncHTTPClient
import BatonCore
import BatonEngine
import Foundation
import NIOCore
import NIOHTTP1

/// Asks another node for its view over its HTTP API (`POST /api/baton-peer/view`), signed with the group's secret;
/// an answer whose signature does not check out is refused, never counted as a vote.
struct HTTPPeerViews: PeerViewing {
    let call: PeerCall

    func view(_ request: PeerViewRequest, at api: String, timeout: Duration) async throws -> PeerView {
        let path = "/api/baton-peer/view"
        let body = try JSONEncoder().encode(request)
        let (data, _) = try await call.post(path, to: api, body: body, timeout: timeout)
        do {
            return try JSONDecoder().decode(PeerView.self, from: data)
        } catch {
            throw PeerCallError("\(api) answered something that is not a view: \(error)")
        }
    }
}

/// One signed call to another node's `/api/baton-peer/` route.
struct PeerCall: Sendable {
    let signer: PeerSignature?
    let basicAuthorization: String?

    /// POSTs `body` to `path` on the node whose API is `api`; returns the answer's body once its status is 200 and its
    /// signature (when the group has a secret) checks out.
    func post(_ path: String, to api: String, body: Data, timeout: Duration) async throws -> (Data, Int) {
        let base = api.hasSuffix("/") ? String(api.dropLast()) : api
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        var requestSignature = ""
        if let signer {
            let time = Int(Date().timeIntervalSince1970)
            requestSignature = signer.request(method: "POST", path: path, time: time, body: body)
            request.headers.add(name: PeerSignature.timeHeader, value: "\(time)")
            request.headers.add(name: PeerSignature.signatureHeader, value: requestSignature)
        } else if let basicAuthorization {
            request.headers.add(name: "Authorization", value: basicAuthorization)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(
            request, timeout: .milliseconds(max(1, Int64(timeout.inMilliseconds))))
        let answer = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        guard response.status.code == 200 else {
            throw PeerCallError(
                "\(base) answered \(response.status.code): \(String(decoding: answer.prefix(300), as: UTF8.self))")
        }
        if let signer {
            let signature = response.headers.first(name: PeerSignature.signatureHeader) ?? ""
            guard PeerSignature.matches(signature, signer.response(to: requestSignature, body: answer)) else {
                throw PeerCallError("\(base) answered without a valid signature (RaftSharedSecret differs?)")
            }
        }
        return (answer, Int(response.status.code))
    }
}

struct PeerCallError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
