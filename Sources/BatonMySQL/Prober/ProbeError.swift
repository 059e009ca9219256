/// The server answered, but not with what a probe needs.
public struct ProbeError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "probe: \(message)" }
}
