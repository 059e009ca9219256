/// orchestrator's response envelope: `{"Code": "OK"|"ERROR", "Message": …, "Details": …}`.
/// HTTP 200 goes with `OK`, 500 with `ERROR` (as orchestrator does) unless a route says otherwise.
public struct APIResponse<Details: Codable & Sendable>: Codable, Sendable {
    public var code: Code
    public var message: String
    public var details: Details?

    public enum Code: String, Codable, Sendable {
        case ok = "OK"
        case error = "ERROR"
    }

    public init(code: Code, message: String, details: Details?) {
        self.code = code
        self.message = message
        self.details = details
    }

    enum CodingKeys: String, CodingKey {
        case code = "Code"
        case message = "Message"
        case details = "Details"
    }

    // Always write `Details`, as null when absent: clients test `.Details != null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        if let details {
            try container.encode(details, forKey: .details)
        } else {
            try container.encodeNil(forKey: .details)
        }
    }
}
