import NIOCore

/// The server's error answer (Protocol::ERR_Packet, header 0xFF).
public struct MySQLERRPacket: Sendable, Equatable {
    public var errorNumber: UInt16
    /// The five-character SQLSTATE; nil when the server did not send one (pre-handshake errors).
    public var sqlState: String?
    public var message: String

    public init(errorNumber: UInt16, sqlState: String? = "HY000", message: String) {
        self.errorNumber = errorNumber
        self.sqlState = sqlState
        self.message = message
    }

    /// Decodes an ERR payload. The SQLSTATE marker `#` is detected rather than assumed, because errors sent
    /// before the handshake completes (e.g. "too many connections") may lack it.
    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLERRPacket {
        guard buffer.readInteger(as: UInt8.self) == MySQLPacketHeader.err else {
            throw .malformed("ERR packet must start with 0xFF")
        }
        guard let errorNumber = buffer.readInteger(endianness: .little, as: UInt16.self) else {
            throw .malformed("ERR packet is truncated")
        }
        var sqlState: String?
        if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == UInt8(ascii: "#"), buffer.readableBytes >= 6 {
            buffer.moveReaderIndex(forwardBy: 1)
            sqlState = buffer.readString(length: 5)
        }
        return MySQLERRPacket(errorNumber: errorNumber, sqlState: sqlState, message: buffer.readMySQLRestString())
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(MySQLPacketHeader.err)
        buffer.writeInteger(self.errorNumber, endianness: .little)
        if let sqlState = self.sqlState {
            buffer.writeInteger(UInt8(ascii: "#"))
            var state = Array(sqlState.utf8.prefix(5))
            while state.count < 5 {
                state.append(UInt8(ascii: "0"))
            }
            buffer.writeBytes(state)
        }
        buffer.writeString(self.message)
    }
}
