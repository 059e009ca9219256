import BatonCore
import Foundation
import HTTPTypes
import Hummingbird

/// Builds JSON responses. Every response of the API is JSON, errors included.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            data = Data(#"{"Code":"ERROR","Message":"cannot encode the response","Details":null}"#.utf8)
            return Response(
                status: .internalServerError, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func ok(_ message: String, details: some Codable & Sendable) -> Response {
        response(APIResponse(code: .ok, message: message, details: details))
    }

    static func error(_ message: String, status: HTTPResponse.Status = .internalServerError) -> Response {
        response(APIResponse<String>(code: .error, message: message, details: nil), status: status)
    }
}
