/// A configuration file Baton cannot start with. The message names the key and says what is expected.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offending key, or `nil` when the file as a whole is unreadable.
    public let key: String?
    public let message: String

    public init(key: String?, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "configuration key \(key): \(message)" }
        return "configuration: \(message)"
    }
}
