/// Why a snapshot of Instance documents cannot be analysed. The message names the instance at fault.
public struct SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// Two documents have the same `Key`.
        case duplicateKey
        /// A replica's `MasterKey` names an instance that is not in the snapshot.
        case unknownSource
        /// A `Key` or `MasterKey` has no host name or a port outside 1...65535.
        case invalidKey
        /// A timestamp is not `yyyy-MM-dd HH:mm:ss`.
        case invalidTimestamp
    }

    public var code: Code
    /// The instance the error is about, when its key is usable.
    public var instance: InstanceKey?
    public var message: String

    public init(code: Code, instance: InstanceKey?, message: String) {
        self.code = code
        self.instance = instance
        self.message = message
    }

    public var description: String { message }
}
