import BatonCore
import Foundation

/// Reads API answers: raw JSON documents and orchestrator's `{"Code", "Message", "Details"}` envelope.
///
/// Pure functions of (status, body), so that every kind of answer can be tested without a server.
public enum APIResponseDecoding {
    /// Decodes a route that answers with a raw document (`instance`, `clusters`, `master`, …).
    /// - Throws: ``BatonAPIError`` `serverError` for an `ERROR` envelope or an HTTP error status,
    ///   `invalidResponse` for a body that is not JSON or not a `T`.
    public static func decodeRaw<T: Decodable>(
        _ type: T.Type, from response: APITransportResponse, url: String
    ) throws -> T {
        try checkForError(response, url: url)
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw unexpectedDocument(response, url: url, expected: T.self, cause: error)
        }
    }

    /// Decodes a route that answers with an envelope (`discover`, `forget`, `topology`) and returns its Details.
    /// - Throws: ``BatonAPIError`` `serverError` for an `ERROR` envelope or an HTTP error status,
    ///   `invalidResponse` for a body that is not a JSON envelope, or an `OK` envelope without Details.
    public static func decodeEnvelope<Details: Codable & Sendable>(
        _ type: Details.Type, from response: APITransportResponse, url: String
    ) throws -> Details {
        try checkForError(response, url: url)
        let envelope: APIResponse<Details>
        do {
            envelope = try JSONDecoder().decode(APIResponse<Details>.self, from: Data(response.body))
        } catch {
            throw unexpectedDocument(response, url: url, expected: APIResponse<Details>.self, cause: error)
        }
        guard let details = envelope.details else {
            throw BatonAPIError(
                code: .invalidResponse, message: "the API at \(url) answered OK without Details",
                url: url, httpStatus: response.status)
        }
        return details
    }

    /// Throws when the answer is an error: an HTTP status outside 2xx, or an `ERROR` envelope with any status.
    /// The server's Message becomes the error's message.
    public static func checkForError(_ response: APITransportResponse, url: String) throws {
        let probe = try? JSONDecoder().decode(EnvelopeProbe.self, from: Data(response.body))
        let isSuccess = (200..<300).contains(response.status)
        if let probe, probe.code == APIResponse<String>.Code.error.rawValue || (!isSuccess && probe.message != nil) {
            let message = probe.message.flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP \(response.status), no message"
            throw BatonAPIError(
                code: .serverError, message: message, url: url, httpStatus: response.status)
        }
        guard isSuccess else {
            throw BatonAPIError(
                code: .serverError, message: "the API at \(url) answered HTTP \(response.status)",
                url: url, httpStatus: response.status)
        }
    }

    private static func unexpectedDocument(
        _ response: APITransportResponse, url: String, expected: Any.Type, cause: any Error
    ) -> BatonAPIError {
        let isJSON = (try? JSONSerialization.jsonObject(with: Data(response.body), options: .fragmentsAllowed)) != nil
        let what = isJSON ? "JSON that is not the expected document" : "a body that is not JSON"
        return BatonAPIError(
            code: .invalidResponse, message: "the API at \(url) answered with \(what)", url: url,
            httpStatus: response.status, cause: DecodingFailure(description: String(describing: cause)))
    }

    /// The two envelope fields that tell an error, read from any JSON object.
    private struct EnvelopeProbe: Decodable {
        var code: String?
        var message: String?

        enum CodingKeys: String, CodingKey {
            case code = "Code"
            case message = "Message"
        }
    }
}

/// Why a body could not be decoded, as text (decoding errors are not `Sendable`).
public struct DecodingFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
}
