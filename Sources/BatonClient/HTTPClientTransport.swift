import AsyncHTTPClient
import BatonCore
import NIOCore
import NIOHTTP1

/// ``APITransport`` over AsyncHTTPClient. It owns its `HTTPClient`: call ``shutdown()`` after the last request.
///
/// Failed connection attempts are not retried (a refused connection fails at once instead of at the deadline),
/// and redirects are not followed (so the `Authorization` header never goes to another host).
public final class HTTPClientTransport: APITransport {
    /// The largest body read; the API's biggest answers (topologies, instance lists) are far below it.
    public static let maximumBodyBytes = 32 * 1024 * 1024

    private let client: HTTPClient

    /// - Parameter connectTimeout: the longest a TCP connect may take; a request's own timeout also bounds it.
    public init(connectTimeout: Duration = .seconds(5)) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connectTimeout)))
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func get(_ url: String, headers: [(name: String, value: String)], timeout: Duration) async throws
        -> APITransportResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        for header in headers {
            request.headers.add(name: header.name, value: header.value)
        }
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let body = try await response.body.collect(upTo: Self.maximumBodyBytes)
            return APITransportResponse(status: Int(response.status.code), body: Array(buffer: body))
        } catch {
            throw Self.classify(error, url: url, timeout: timeout)
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Turns a transport failure into a ``BatonAPIError``: `timeout` for the timeouts, `unreachable` otherwise.
    static func classify(_ error: any Error, url: String, timeout: Duration) -> BatonAPIError {
        if let error = error as? BatonAPIError { return error }
        if let error = error as? HTTPClientError, Self.timeoutErrors.contains(error) {
            return BatonAPIError(
                code: .timeout, message: "the API at \(url) did not answer within \(timeout.shortDescription)",
                url: url, cause: error)
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return BatonAPIError(
                code: .timeout, message: "the API at \(url) did not accept a connection within "
                    + timeout.shortDescription, url: url, cause: error)
        }
        return BatonAPIError(
            code: .unreachable, message: "cannot reach the API at \(url): \(Self.reason(error))", url: url,
            cause: error)
    }

    private static let timeoutErrors: [HTTPClientError] = [
        .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout,
    ]

    /// A short reason for the usual connection failures; the error's own description for the rest.
    private static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("connection refused") || lowered.contains("econnrefused") {
            return "connection refused"
        }
        if lowered.contains("dnsaerror: optional") || lowered.contains("name or service not known")
            || lowered.contains("nodename nor servname")
        {
            return "host name not found"
        }
        if let error = error as? HTTPClientError, error == .remoteConnectionClosed {
            return "the server closed the connection"
        }
        return text
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.inNanoseconds)
    }
}

extension Duration {
    /// `1s`, `0.5s`, `30s`: for messages.
    var shortDescription: String {
        let milliseconds = inMilliseconds
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
