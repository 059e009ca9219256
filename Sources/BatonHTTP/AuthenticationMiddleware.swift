import BatonEngine
import Foundation
import HTTPTypes
import Hummingbird

/// Enforces `APIAuthentication`: basic credentials (compared in constant time) and the read-only switch.
/// A refusal is orchestrator's JSON envelope; 401 carries `WWW-Authenticate` so clients know to send credentials.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authentication: APIAuthentication
    /// The group has a `RaftSharedSecret`: the `/api/baton-peer/` routes check their own signatures instead of basic
    /// credentials (without a secret they need the credentials like any route).
    var peerRoutesSigned = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        let signedPeerRoute = peerRoutesSigned && path.hasPrefix("/api/baton-peer/")
        if authentication.method == .basic, !APIAuthentication.openPaths.contains(path), !signedPeerRoute,
            !hasValidCredentials(request.headers[.authorization])
        {
            var response = JSONBody.error("Unauthorized", status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Basic realm=\"baton\""
            return response
        }
        if authentication.readOnly, isMutating(path) {
            return JSONBody.error("Unauthorized: this Baton is read-only (ReadOnly)", status: .forbidden)
        }
        return try await next(request, context)
    }

    func isMutating(_ path: String) -> Bool {
        let segments = path.split(separator: "/")
        guard segments.count >= 2, segments[0] == "api" else { return false }
        return APIAuthentication.mutatingCommands.contains(String(segments[1]))
    }

    func hasValidCredentials(_ header: String?) -> Bool {
        guard let header, header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return false }
        let user = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        // Evaluate both comparisons whatever the first answers, so timing says nothing about which was wrong.
        let userMatches = Self.constantTimeEqual(user, authentication.user)
        let passwordMatches = Self.constantTimeEqual(password, authentication.password.value)
        return userMatches && passwordMatches
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
