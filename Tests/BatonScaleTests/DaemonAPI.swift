import AsyncHTTPClient
import BatonCore
import BatonTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// Calls a `baton serve` process's HTTP API and decodes its JSON.
struct DaemonAPI {
    let base: String

    func get(_ path: String) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + "/" + path)
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 256 << 20)
        return (Int(response.status.code), Data(body.readableBytesView))
    }

    func decode<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
        try JSONDecoder().decode(T.self, from: try await get(path).body)
    }

    /// Polls `path` every `interval` until `condition` holds or `timeout` passes; returns the last value either way.
    func poll<T: Decodable>(
        _ type: T.Type, _ path: String, timeout: Duration, interval: Duration = .milliseconds(250),
        until condition: (T) -> Bool
    ) async throws -> (value: T?, satisfied: Bool) {
        await eventuallyValue(timeout: timeout, interval: interval) { try? await decode(T.self, path) } until: { condition($0) }
    }

    /// Every recovery (`audit-recovery` pages of 20, newest first, until an empty page).
    func allRecoveries() async throws -> [TopologyRecoveryDocument] {
        var all: [TopologyRecoveryDocument] = []
        for page in 0... {
            let recoveries = try await decode([TopologyRecoveryDocument].self, "audit-recovery/\(page)")
            if recoveries.isEmpty { break }
            all += recoveries
        }
        return all
    }

    /// Waits until the daemon answers at all.
    func waitUntilUp(timeout: Duration) async -> Bool {
        let answer = await eventuallyValue(timeout: timeout, interval: .milliseconds(100)) {
            (try? await get("lb-check"))?.status
        } until: { $0 == 200 }
        return answer.satisfied
    }
}
