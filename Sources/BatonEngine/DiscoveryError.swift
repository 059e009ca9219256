import BatonCore

/// Why `discover` could not read an instance.
public struct DiscoveryError: Error, CustomStringConvertible, Sendable {
    public let key: InstanceKey
    public let message: String
    public init(key: InstanceKey, message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "cannot read instance \(key): \(message)" }
}
