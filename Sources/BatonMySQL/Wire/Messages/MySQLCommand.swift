import NIOCore

/// A command the client sends at the start of a command phase (sequence id 0).
public enum MySQLCommand: Sendable, Equatable {
    /// COM_QUIT (0x01): the server closes the connection.
    case quit
    /// COM_QUERY (0x03) with a text query.
    case query(String)
    /// COM_PING (0x0E): the server answers OK.
    case ping

    public static let quitByte: UInt8 = 0x01
    public static let queryByte: UInt8 = 0x03
    public static let pingByte: UInt8 = 0x0E

    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .quit:
            buffer.writeInteger(Self.quitByte)
        case .query(let sql):
            buffer.writeInteger(Self.queryByte)
            buffer.writeString(sql)
        case .ping:
            buffer.writeInteger(Self.pingByte)
        }
    }

    /// Decodes a command payload (used by server simulators); nil for commands this type does not model.
    public static func decode(from buffer: inout ByteBuffer) -> MySQLCommand? {
        guard let byte = buffer.readInteger(as: UInt8.self) else {
            return nil
        }
        switch byte {
        case Self.quitByte:
            return .quit
        case Self.queryByte:
            return .query(buffer.readMySQLRestString())
        case Self.pingByte:
            return .ping
        default:
            return nil
        }
    }
}
