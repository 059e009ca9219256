import BatonCore
import Foundation
import Synchronization

/// A client of Baton's (orchestrator-compatible) HTTP API.
///
/// With one base URL it talks to that server. With several, it asks each one `leader-check` at the same time,
/// with a short timeout, and talks to the first in the given order that answers HTTP 200; the choice is kept
/// until a request to it fails to connect.
///
/// ```swift
/// let configuration = try BatonAPIConfiguration(apiOption: nil, environment: ProcessInfo.processInfo.environment)
/// let clusters = try await BatonAPIClient.withClient(configuration: configuration) { try await $0.clusters() }
/// ```
public struct BatonAPIClient: Sendable {
    public let configuration: BatonAPIConfiguration
    private let transport: any APITransport
    private let chosenLeader: LeaderCache

    /// A client over `transport`. The caller owns the transport and shuts it down; see ``withClient(configuration:isolation:_:)``.
    public init(configuration: BatonAPIConfiguration, transport: any APITransport) {
        self.configuration = configuration
        self.transport = transport
        self.chosenLeader = LeaderCache()
    }

    /// Runs `body` with a client over a new ``HTTPClientTransport``, and shuts the transport down afterwards
    /// whether `body` succeeds or throws.
    @discardableResult
    public static func withClient<Result>(
        configuration: BatonAPIConfiguration,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (BatonAPIClient) async throws -> sending Result
    ) async throws -> sending Result {
        let transport = HTTPClientTransport(connectTimeout: configuration.requestTimeout)
        let client = BatonAPIClient(configuration: configuration, transport: transport)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
        return result
    }

    /// The server requests go to: the only URL, or the leader among several.
    /// - Throws: ``BatonAPIError`` `noLeader` when none of several URLs answers `leader-check` with HTTP 200.
    public func baseURL() async throws -> APIBaseURL {
        if configuration.baseURLs.count == 1 { return configuration.baseURLs[0] }
        if let leader = chosenLeader.value.withLock({ $0 }) { return leader }
        let leader = try LeaderSelection.choose(from: await leaderCheckAnswers())
        chosenLeader.value.withLock { $0 = leader }
        return leader
    }

    /// Asks every base URL `leader-check` concurrently; the answers come back in the order of the URLs.
    public func leaderCheckAnswers() async -> [(url: APIBaseURL, answer: LeaderSelection.Answer)] {
        let baseURLs = configuration.baseURLs
        let answers = await withTaskGroup(of: (Int, LeaderSelection.Answer).self) { group in
            for (index, baseURL) in baseURLs.enumerated() {
                group.addTask {
                    do {
                        let response = try await transport.get(
                            baseURL.url(for: .leaderCheck), headers: configuration.headers(for: baseURL),
                            timeout: configuration.leaderCheckTimeout)
                        return (index, .status(response.status))
                    } catch {
                        return (index, .failed(HTTPClientTransport.classify(
                            error, url: baseURL.url(for: .leaderCheck), timeout: configuration.leaderCheckTimeout)))
                    }
                }
            }
            var answers: [Int: LeaderSelection.Answer] = [:]
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        return baseURLs.indices.map { (url: baseURLs[$0], answer: answers[$0]!) }
    }

    /// GETs `path` from the chosen server and returns the answer, whatever its status.
    /// - Throws: ``BatonAPIError`` `unreachable`, `timeout` or `noLeader` when no server answers.
    public func get(_ path: APIPath) async throws -> (response: APITransportResponse, url: String) {
        let baseURL = try await baseURL()
        let url = baseURL.url(for: path)
        do {
            let response = try await transport.get(
                url, headers: configuration.headers(for: baseURL), timeout: configuration.requestTimeout)
            return (response, url)
        } catch {
            chosenLeader.value.withLock { $0 = nil }
            throw HTTPClientTransport.classify(error, url: url, timeout: configuration.requestTimeout)
        }
    }

    /// GETs a route that answers with a raw JSON document and decodes it.
    public func getRaw<T: Decodable>(_ type: T.Type, at path: APIPath) async throws -> T {
        let (response, url) = try await get(path)
        return try APIResponseDecoding.decodeRaw(type, from: response, url: url)
    }

    /// GETs a route that answers with an envelope and returns its Message (for answers whose Details vary).
    public func getEnvelopeMessage(at path: APIPath) async throws -> String {
        let (response, url) = try await get(path)
        try APIResponseDecoding.checkForError(response, url: url)
        do {
            return try JSONDecoder().decode(MessageOnly.self, from: Data(response.body)).message
        } catch {
            throw BatonAPIError(
                code: .invalidResponse, message: "the API at \(url) answered with an unexpected document: \(error)",
                url: url, httpStatus: response.status)
        }
    }

    private struct MessageOnly: Decodable {
        var message: String
        enum CodingKeys: String, CodingKey { case message = "Message" }
    }

    /// GETs a route that answers with an envelope and returns its Details.
    public func getEnvelope<Details: Codable & Sendable>(_ type: Details.Type, at path: APIPath) async throws
        -> Details
    {
        let (response, url) = try await get(path)
        return try APIResponseDecoding.decodeEnvelope(type, from: response, url: url)
    }
}

/// The leader chosen among several base URLs, shared by the copies of one client.
private final class LeaderCache: Sendable {
    let value = Mutex<APIBaseURL?>(nil)
}
