import AsyncHTTPClient
import BatonCore
import Foundation
import NIOCore
import NIOHTTP1

/// Calls a daemon's HTTP API and decodes JSON, for system tests.
struct APICaller {
    let base: String

    func get(_ path: String) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + "/" + path)
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(body.readableBytesView))
    }

    func decode<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
        let (_, body) = try await get(path)
        return try JSONDecoder().decode(T.self, from: body)
    }

    /// Polls `path` until `condition` holds or `timeout` passes; returns the last value either way.
    func poll<T: Decodable>(
        _ type: T.Type, _ path: String, timeout: Duration = .seconds(60), until condition: (T) -> Bool
    ) async throws -> (value: T, satisfied: Bool) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last: T?
        while clock.now < deadline {
            if let value = try? await decode(T.self, path) {
                last = value
                if condition(value) { return (value, true) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if let last { return (last, false) }
        return (try await decode(T.self, path), false)
    }

    /// Waits until the daemon answers at all.
    func waitUntilUp(timeout: Duration = .seconds(30)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let (status, _) = try? await get("lb-check"), status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
