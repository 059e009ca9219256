/// The one thing ``BatonAPIClient`` needs from the network: GET a URL and read the whole answer.
///
/// ``HTTPClientTransport`` is the real implementation; tests substitute canned answers.
public protocol APITransport: Sendable {
    /// GETs `url` and returns the status and the whole body.
    /// - Throws: ``BatonAPIError`` with code `unreachable` or `timeout` when no answer arrives by `timeout`.
    func get(_ url: String, headers: [(name: String, value: String)], timeout: Duration) async throws
        -> APITransportResponse

    /// Releases the transport's connections. Call it once, after the last request.
    func shutdown() async throws
}

/// An HTTP answer: its status code and its whole body.
public struct APITransportResponse: Sendable, Hashable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    public init(status: Int, body: String) {
        self.init(status: status, body: Array(body.utf8))
    }
}
