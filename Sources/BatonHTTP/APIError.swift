import HTTPTypes

/// An API failure reported to the client in orchestrator's envelope: `{"Code":"ERROR","Message":…}`.
/// orchestrator answers errors with HTTP 500; Baton does the same except where a different status is
/// part of the contract (404 for unknown paths and `leader-check` on a non-leader).
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ message: String, status: HTTPResponse.Status = .internalServerError) {
        self.status = status
        self.message = message
    }
}
