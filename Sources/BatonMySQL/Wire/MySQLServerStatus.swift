/// The server status flags sent in OK and EOF packets (`SERVER_STATUS_*` in the MySQL sources).
public struct MySQLServerStatus: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let inTransaction = MySQLServerStatus(rawValue: 1 << 0)
    public static let autocommit = MySQLServerStatus(rawValue: 1 << 1)
    public static let moreResultsExist = MySQLServerStatus(rawValue: 1 << 3)
    public static let noGoodIndexUsed = MySQLServerStatus(rawValue: 1 << 4)
    public static let noIndexUsed = MySQLServerStatus(rawValue: 1 << 5)
    public static let cursorExists = MySQLServerStatus(rawValue: 1 << 6)
    public static let lastRowSent = MySQLServerStatus(rawValue: 1 << 7)
    public static let databaseDropped = MySQLServerStatus(rawValue: 1 << 8)
    public static let noBackslashEscapes = MySQLServerStatus(rawValue: 1 << 9)
    public static let metadataChanged = MySQLServerStatus(rawValue: 1 << 10)
    public static let queryWasSlow = MySQLServerStatus(rawValue: 1 << 11)
    public static let psOutParams = MySQLServerStatus(rawValue: 1 << 12)
    public static let inReadOnlyTransaction = MySQLServerStatus(rawValue: 1 << 13)
    public static let sessionStateChanged = MySQLServerStatus(rawValue: 1 << 14)
}
