/// The capability flags exchanged in the handshake (`CLIENT_*` in the MySQL sources).
public struct MySQLCapabilities: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static let longPassword = MySQLCapabilities(rawValue: 1 << 0)
    public static let foundRows = MySQLCapabilities(rawValue: 1 << 1)
    public static let longFlag = MySQLCapabilities(rawValue: 1 << 2)
    public static let connectWithDB = MySQLCapabilities(rawValue: 1 << 3)
    public static let noSchema = MySQLCapabilities(rawValue: 1 << 4)
    public static let compress = MySQLCapabilities(rawValue: 1 << 5)
    public static let odbc = MySQLCapabilities(rawValue: 1 << 6)
    public static let localFiles = MySQLCapabilities(rawValue: 1 << 7)
    public static let ignoreSpace = MySQLCapabilities(rawValue: 1 << 8)
    public static let protocol41 = MySQLCapabilities(rawValue: 1 << 9)
    public static let interactive = MySQLCapabilities(rawValue: 1 << 10)
    public static let ssl = MySQLCapabilities(rawValue: 1 << 11)
    public static let ignoreSigpipe = MySQLCapabilities(rawValue: 1 << 12)
    public static let transactions = MySQLCapabilities(rawValue: 1 << 13)
    public static let reserved = MySQLCapabilities(rawValue: 1 << 14)
    public static let secureConnection = MySQLCapabilities(rawValue: 1 << 15)
    public static let multiStatements = MySQLCapabilities(rawValue: 1 << 16)
    public static let multiResults = MySQLCapabilities(rawValue: 1 << 17)
    public static let psMultiResults = MySQLCapabilities(rawValue: 1 << 18)
    public static let pluginAuth = MySQLCapabilities(rawValue: 1 << 19)
    public static let connectAttributes = MySQLCapabilities(rawValue: 1 << 20)
    public static let pluginAuthLengthEncodedClientData = MySQLCapabilities(rawValue: 1 << 21)
    public static let canHandleExpiredPasswords = MySQLCapabilities(rawValue: 1 << 22)
    public static let sessionTrack = MySQLCapabilities(rawValue: 1 << 23)
    public static let deprecateEOF = MySQLCapabilities(rawValue: 1 << 24)
    public static let optionalResultSetMetadata = MySQLCapabilities(rawValue: 1 << 25)
    public static let zstdCompression = MySQLCapabilities(rawValue: 1 << 26)
    public static let queryAttributes = MySQLCapabilities(rawValue: 1 << 27)
    public static let multiFactorAuthentication = MySQLCapabilities(rawValue: 1 << 28)
    public static let sslVerifyServerCertificate = MySQLCapabilities(rawValue: 1 << 30)
    public static let rememberOptions = MySQLCapabilities(rawValue: 1 << 31)
}
