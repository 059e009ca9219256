import Foundation

/// The answer to one control line, sent as one line of JSON.
public struct FleetControlResponse: Sendable, Codable, Equatable {
    public var ok: Bool
    public var error: String?
    public var message: String?
    public var instances: [FleetInstanceStatus]?
    public var partition: Int?
    public var events: [String]?

    public init(
        ok: Bool = true, error: String? = nil, message: String? = nil, instances: [FleetInstanceStatus]? = nil,
        partition: Int? = nil, events: [String]? = nil
    ) {
        self.ok = ok
        self.error = error
        self.message = message
        self.instances = instances
        self.partition = partition
        self.events = events
    }

    /// The response as one line of JSON (no trailing newline).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{\"ok\":false,\"error\":\"encoding failed\"}" }
        return String(decoding: data, as: UTF8.self)
    }
}
