import Crypto
import Foundation

/// Authenticates the calls between Baton nodes (`/api/baton-peer/…`) with the Raft group's `RaftSharedSecret`:
/// HMAC-SHA256 over the method, path, a timestamp and the body; the answer is signed over the request's signature
/// and its own body, so neither a forged request nor a forged vote is accepted. Without a secret nothing is signed
/// (the Raft transport is then unauthenticated too) and the routes fall under the API's own authentication.
struct PeerSignature: Sendable {
    static let timeHeader = "X-Baton-Peer-Time"
    static let signatureHeader = "X-Baton-Peer-Signature"
    /// How far the caller's clock may be from ours.
    static let maxSkew: TimeInterval = 60

    /// The secret's bytes (`SymmetricKey` is not `Sendable`: one is made per signature).
    let secret: [UInt8]

    init?(secret: String) {
        guard !secret.isEmpty else { return nil }
        self.secret = Array(secret.utf8)
    }

    func request(method: String, path: String, time: Int, body: Data) -> String {
        sign(Data("\(method) \(path)\n\(time)\n".utf8) + body)
    }

    func response(to requestSignature: String, body: Data) -> String {
        sign(Data("response\n\(requestSignature)\n".utf8) + body)
    }

    /// Whether `signature` is `expected` (compared in constant time).
    static func matches(_ signature: String, _ expected: String) -> Bool {
        let a = Array(signature.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Why a signed request is refused, or nil when it is good.
    func refusal(method: String, path: String, time: String?, signature: String?, body: Data, now: Date) -> String? {
        guard let time, let seconds = Int(time), let signature else { return "unsigned peer request" }
        guard abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= Self.maxSkew else {
            return "peer request timestamp is more than \(Int(Self.maxSkew)) s from this node's clock"
        }
        guard Self.matches(signature, request(method: method, path: path, time: seconds, body: body)) else {
            return "bad peer request signature (RaftSharedSecret differs?)"
        }
        return nil
    }

    private func sign(_ data: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }
}
