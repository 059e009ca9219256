/// A password or other secret: its description never shows the value, so it cannot leak into logs.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { value.isEmpty ? "<empty>" : "<redacted>" }
    public var debugDescription: String { description }
}
