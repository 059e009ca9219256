/// Why `baton analyze` cannot analyse a snapshot file. The message says where the problem is: the entry (counted
/// from 1, as in `SnapshotError`'s messages), its instance key when it has a usable one, and the field.
public struct OfflineAnalysisError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The file is empty or not JSON at all.
        case notJSON
        /// The file is JSON but not an array of objects.
        case notAnArray
        /// An entry of the array is not an Instance object: a field is missing, null or of the wrong type.
        case malformedInstance
        /// The documents decode but do not form a topology (`SnapshotError`: duplicate key, unknown source, …).
        case inconsistentSnapshot
        /// The analysis could not be encoded as JSON (`--json`); not expected to happen.
        case encodingFailed
    }

    public var code: Code
    /// The zero-based position in the array of the entry at fault, when the error is about one entry.
    public var index: Int?
    /// The instance at fault, when its key is usable.
    public var instance: InstanceKey?
    /// The field at fault as a path inside the entry (`MasterKey`, `Key.Port`, `Replicas[0].Hostname`).
    public var field: String?
    public var message: String
    /// The decoder's or the snapshot converter's error.
    public var underlying: (any Error & Sendable)?

    public init(
        code: Code, index: Int? = nil, instance: InstanceKey? = nil, field: String? = nil, message: String,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.index = index
        self.instance = instance
        self.field = field
        self.message = message
        self.underlying = underlying
    }

    /// The error of a snapshot whose documents are inconsistent; its message already names the instance.
    public init(_ error: SnapshotError) {
        self.init(
            code: .inconsistentSnapshot, instance: error.instance, message: error.message, underlying: error)
    }

    public var description: String { message }
}
