import BatonClient
import Synchronization

/// An ``APITransport`` that answers from a table of URL → answer and records the requests it saw.
final class FakeTransport: APITransport {
    enum Reply: Sendable {
        case answer(APITransportResponse)
        case fail(BatonAPIError)
    }

    struct Request: Sendable {
        var url: String
        var authorization: String?
        var timeout: Duration
    }

    private let replies: [String: Reply]
    private let log = Mutex<[Request]>([])

    init(_ replies: [String: Reply]) {
        self.replies = replies
    }

    var requests: [Request] { log.withLock { $0 } }

    func get(_ url: String, headers: [(name: String, value: String)], timeout: Duration) async throws
        -> APITransportResponse
    {
        let authorization = headers.first { $0.name == "Authorization" }?.value
        log.withLock { $0.append(Request(url: url, authorization: authorization, timeout: timeout)) }
        switch replies[url] {
        case .answer(let response): return response
        case .fail(let error): throw error
        case nil:
            throw BatonAPIError(code: .unreachable, message: "cannot reach the API at \(url): connection refused")
        }
    }

    func shutdown() async throws {}
}
