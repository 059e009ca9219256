import Foundation

/// HTTP basic-auth credentials for the API. They only ever go into the `Authorization` header: the description
/// shows the user name and hides the password.
public struct BasicAuthCredentials: Hashable, Sendable, CustomStringConvertible {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Reads `BATON_AUTH_USER` and `BATON_AUTH_PASSWORD`; `nil` unless a user is set.
    public init?(environment: [String: String]) {
        guard let user = environment["BATON_AUTH_USER"], !user.isEmpty else { return nil }
        self.init(user: user, password: environment["BATON_AUTH_PASSWORD"] ?? "")
    }

    /// The value of the `Authorization` header: `Basic base64(user:password)`.
    public var headerValue: String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    public var description: String { "\(user):<redacted>" }
}
