/// A failure of Baton's local SQLite store, with a stable code and the underlying cause.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }
        public static let openFailed = Code(rawValue: "store.open_failed")
        public static let migrationFailed = Code(rawValue: "store.migration_failed")
        public static let writeFailed = Code(rawValue: "store.write_failed")
        public static let readFailed = Code(rawValue: "store.read_failed")
        public static let corruptRecord = Code(rawValue: "store.corrupt_record")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        "\(code): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }
}
