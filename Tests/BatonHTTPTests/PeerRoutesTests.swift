import BatonCore
import BatonEngine
import BatonTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import BatonHTTP

/// The calls between nodes (`/api/baton-peer/…`) with a `RaftSharedSecret`: only a request signed with the secret,
/// fresh, and unaltered is answered, and the answer is signed over the request's signature.
@Suite struct PeerRoutesTests {
    typealias T = BatonAPITests
    static let secret = "peer routes secret"
    static let path = "/api/baton-peer/view"

    static func app() async throws -> some ApplicationProtocol {
        let probing = ScriptedProbing()
        probing.set(T.key(1), .facts(.mariaDB(serverID: 1, replicas: [T.key(2)])))
        probing.set(T.key(2), .facts(.mariaDB(serverID: 2, source: T.key(1))))
        let node = try await BatonNode.scripted(
            probing,
            configuration: #"{"RaftSharedSecret": "peer routes secret", "AuthenticationMethod": "basic", "HTTPAuthUser": "ops", "HTTPAuthPassword": "pw"}"#,
            peerViews: RejectingPeers(), voters: { [ConfirmationVoter(name: "baton-test", api: nil)] })
        for port in 1...2 { _ = try await node.monitor.discover(T.key(port)) }
        let api = BatonAPI(
            node: node, authentication: APIAuthentication(method: .basic, user: "ops", password: Secret("pw")),
            metricsRegistry: PrometheusCollectorRegistry(), nodeHostname: "baton-test")
        return Application(router: api.router())
    }

    struct RejectingPeers: PeerViewing {
        func view(_ request: PeerViewRequest, at api: String, timeout: Duration) async throws -> PeerView {
            throw CancellationError()
        }
    }

    static let body = try! JSONEncoder().encode(PeerViewRequest(failed: T.key(1), replicas: [T.key(2)]))

    static func headers(secret: String = secret, time: Int = Int(Date().timeIntervalSince1970), body: Data = body)
        -> (HTTPFields, String)
    {
        let signature = PeerSignature(secret: secret)!.request(method: "POST", path: path, time: time, body: body)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name(PeerSignature.timeHeader)!] = "\(time)"
        headers[HTTPField.Name(PeerSignature.signatureHeader)!] = signature
        return (headers, signature)
    }

    @Test func aSignedRequestIsAnsweredWithASignedView() async throws {
        let app = try await Self.app()
        try await app.test(.router) { client in
            // Signed just before it is sent: the timestamp must be within a minute of the node's clock.
            let (headers, signature) = Self.headers()
            try await client.execute(uri: Self.path, method: .post, headers: headers, body: ByteBuffer(bytes: Self.body)) {
                response in
                #expect(response.status == .ok, "basic credentials are not needed: the signature authenticates")
                let answer = Data(response.body.readableBytesView)
                let view = try JSONDecoder().decode(PeerView.self, from: answer)
                #expect(view.sighting(of: T.key(1))?.isWritable == true)
                #expect(view.sighting(of: T.key(2))?.receives(from: T.key(1)) == true)
                let expected = PeerSignature(secret: Self.secret)!.response(to: signature, body: answer)
                #expect(response.headers[HTTPField.Name(PeerSignature.signatureHeader)!] == expected)
            }
        }
    }

    @Test(arguments: [
        ("unsigned", "unsigned peer request"),
        ("another secret", "bad peer request signature"),
        ("altered body", "bad peer request signature"),
        ("two minutes old", "timestamp is more than 60 s"),
    ])
    func aRequestThatIsNotSignedRightIsRefused(_ case: String, _ message: String) async throws {
        let app = try await Self.app()
        try await app.test(.router) { client in
            // Signed just before it is sent, so that only the case's own fault can be the refusal.
            var (headers, _) = Self.headers()
            var body = Self.body
            switch `case` {
            case "unsigned": headers = [.contentType: "application/json"]
            case "another secret": headers = Self.headers(secret: "guess").0
            case "altered body": body = try JSONEncoder().encode(PeerViewRequest(failed: T.key(2), replicas: []))
            default: headers = Self.headers(time: Int(Date().timeIntervalSince1970) - 120).0
            }
            try await client.execute(uri: Self.path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                response in
                #expect(response.status == .unauthorized)
                let envelope = try JSONDecoder().decode(APIResponse<String>.self, from: Data(response.body.readableBytesView))
                #expect(envelope.message.contains(message), "\(envelope.message)")
            }
        }
    }
}
