import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// The HTTP client a follower forwards mutating calls with. Unlike `HTTPClient.shared`, it does not retry a refused
/// or silent connect until the request's deadline (90 s and more with the shared client's defaults, long after a new
/// leader was elected): a connect gets one second and fails at once, so the middleware can look for the new leader.
enum LeaderForwardingClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(1)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Whether `error` says the leader was never reached (nothing of the request was sent): refused, unreachable, or
    /// a connect that timed out. Only such a call may be sent again to another leader.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout
        }
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT].contains(error.errnoCode)
        }
        return false
    }
}
