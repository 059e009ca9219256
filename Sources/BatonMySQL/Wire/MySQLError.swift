/// An error from the MySQL client: what failed (a stable ``Code``), a message for operators, and the cause.
///
/// Errors that the server sent as an ERR packet carry its error number and SQLSTATE.
public struct MySQLError: Error, CustomStringConvertible {
    /// A stable, machine-readable error category. Compare against the static members; log ``rawValue``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable identifier, e.g. `"connectTimeout"`.
        public let rawValue: String

        private init(_ rawValue: String) {
            self.rawValue = rawValue
        }

        public var description: String { self.rawValue }

        /// TCP connect failed (refused, unreachable, name resolution failed).
        public static let connectFailed = Code("connectFailed")
        /// TCP connect, TLS and authentication did not finish within the connect timeout.
        public static let connectTimeout = Code("connectTimeout")
        /// A command did not finish within its timeout; the connection was closed.
        public static let queryTimeout = Code("queryTimeout")
        /// The server rejected the credentials, or authentication could not be completed.
        public static let authenticationFailed = Code("authenticationFailed")
        /// The server answered with an ERR packet (see ``MySQLError/serverErrorNumber``).
        public static let serverError = Code("serverError")
        /// A packet from the server could not be decoded.
        public static let malformedPacket = Code("malformedPacket")
        /// A packet from the server was larger than the configured maximum.
        public static let packetTooLarge = Code("packetTooLarge")
        /// The connection is closed, or was closed while the operation was running.
        public static let connectionClosed = Code("connectionClosed")
        /// TLS is required but the server does not offer it.
        public static let tlsUnavailable = Code("tlsUnavailable")
        /// TLS could not be set up (bad certificate files, handshake or verification failure).
        public static let tlsFailed = Code("tlsFailed")
        /// The server asked for an authentication plugin this client does not implement.
        public static let unsupportedAuthPlugin = Code("unsupportedAuthPlugin")
        /// The server sent something valid on the wire but unexpected at this point of the protocol.
        public static let protocolViolation = Code("protocolViolation")
        /// A command was issued while another one was still running on the same connection.
        public static let commandsOutOfSequence = Code("commandsOutOfSequence")
        /// The task waiting for the operation was cancelled; the connection was closed.
        public static let cancelled = Code("cancelled")
    }

    /// What failed.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// The server's error number when the server sent an ERR packet (e.g. 1045 for access denied).
    public let serverErrorNumber: UInt16?
    /// The server's SQLSTATE when the server sent an ERR packet (e.g. `"28000"`).
    public let sqlState: String?
    /// The lower-level error that caused this one, if any.
    public let underlying: (any Error)?

    public init(
        code: Code,
        message: String,
        serverErrorNumber: UInt16? = nil,
        sqlState: String? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.serverErrorNumber = serverErrorNumber
        self.sqlState = sqlState
        self.underlying = underlying
    }

    public var description: String {
        var text = "MySQLError(\(self.code.rawValue)"
        if let number = self.serverErrorNumber {
            text += ", errno \(number)"
        }
        if let state = self.sqlState {
            text += ", sqlstate \(state)"
        }
        text += "): \(self.message)"
        if let underlying = self.underlying {
            text += " (underlying: \(String(describing: underlying)))"
        }
        return text
    }
}

extension MySQLError {
    static func malformed(_ message: String) -> MySQLError {
        MySQLError(code: .malformedPacket, message: message)
    }

    static func protocolViolation(_ message: String) -> MySQLError {
        MySQLError(code: .protocolViolation, message: message)
    }

    static func connectionClosed(_ message: String, underlying: (any Error)? = nil) -> MySQLError {
        MySQLError(code: .connectionClosed, message: message, underlying: underlying)
    }
}
