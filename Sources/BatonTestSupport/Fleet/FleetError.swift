/// Why the fleet could not do what it was asked: a stable code, a message for humans, the cause.
public struct FleetError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The topology is inconsistent (duplicate names, unknown sources, cycles, bad addresses).
        public static let invalidTopology = Code("invalidTopology")
        /// An instance could not listen on its address (in use, address not available).
        public static let bindFailed = Code("bindFailed")
        /// No instance has that name or key.
        public static let unknownInstance = Code("unknownInstance")
        /// A control command could not be parsed.
        public static let badCommand = Code("badCommand")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        "FleetError(\(code)): \(message)" + (underlying.map { " (underlying: \($0))" } ?? "")
    }
}
