/// Why bytes could not be decoded as a Raft message. A decoder never traps on bad input; it throws this.
public struct RaftWireError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The bytes end before the message does.
        case truncated
        /// The format version is not one this node understands.
        case unsupportedVersion
        /// A type tag, flag or enumeration value is out of range.
        case invalidValue
        /// A number does not fit, or a length exceeds what is left.
        case overflow
        /// Bytes are left over after the message.
        case trailingBytes
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "raft wire \(code.rawValue): \(message)" }
}
