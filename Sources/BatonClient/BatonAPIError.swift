/// A failure talking to the Baton HTTP API, with a stable code and a message an operator can act on.
///
/// Messages name the URL involved (with any user info removed) and never carry credentials.
public struct BatonAPIError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. The raw values are stable and safe to match in scripts and logs.
    public enum Code: String, Sendable, Hashable {
        /// The server answered with an `ERROR` envelope or an HTTP error status.
        case serverError = "server_error"
        /// The server answered, but the body was not JSON or not the expected document.
        case invalidResponse = "invalid_response"
        /// The server could not be reached: connection refused, unknown host, connection closed.
        case unreachable = "unreachable"
        /// The server did not answer in time.
        case timeout = "timeout"
        /// Several API URLs were given and none answered `leader-check` with HTTP 200.
        case noLeader = "no_leader"
        /// The API URLs or the request are unusable: no URL given, a malformed URL, an empty cluster name.
        case invalidConfiguration = "invalid_configuration"
    }

    public var code: Code
    /// One line for humans, e.g. `the API at http://db-admin:3000/api answered: instance not found`.
    public var message: String
    /// The URL of the failing request, credentials removed; `nil` when no request was made.
    public var url: String?
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// The underlying error, if any (a transport or decoding error).
    public var cause: (any Error & Sendable)?

    public init(
        code: Code, message: String, url: String? = nil, httpStatus: Int? = nil, cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.url = url
        self.httpStatus = httpStatus
        self.cause = cause
    }

    public var description: String { message }

    /// Whether the failure means that no API server could be talked to (as opposed to a server saying no).
    public var isConnectivityFailure: Bool {
        switch code {
        case .unreachable, .timeout, .noLeader: true
        case .serverError, .invalidResponse, .invalidConfiguration: false
        }
    }
}
