import NIOCore

/// The end-of-data marker (Protocol::EOF_Packet, header 0xFE, under 9 bytes) used when
/// ``MySQLCapabilities/deprecateEOF`` is not negotiated.
public struct MySQLEOFPacket: Sendable, Equatable {
    public var warningCount: UInt16
    public var statusFlags: MySQLServerStatus

    public init(warningCount: UInt16 = 0, statusFlags: MySQLServerStatus = .autocommit) {
        self.warningCount = warningCount
        self.statusFlags = statusFlags
    }

    /// True when `payload` is an EOF packet rather than a row or data.
    public static func isEOF(_ payload: ByteBuffer) -> Bool {
        payload.readableBytes < 9 && payload.getInteger(at: payload.readerIndex, as: UInt8.self) == MySQLPacketHeader.eof
    }

    public static func decode(from buffer: inout ByteBuffer, capabilities: MySQLCapabilities) throws(MySQLError) -> MySQLEOFPacket {
        guard buffer.readInteger(as: UInt8.self) == MySQLPacketHeader.eof else {
            throw .malformed("EOF packet must start with 0xFE")
        }
        guard capabilities.contains(.protocol41) else {
            return MySQLEOFPacket(warningCount: 0, statusFlags: [])
        }
        guard
            let warnings = buffer.readInteger(endianness: .little, as: UInt16.self),
            let status = buffer.readInteger(endianness: .little, as: UInt16.self)
        else {
            throw .malformed("EOF packet is truncated")
        }
        return MySQLEOFPacket(warningCount: warnings, statusFlags: MySQLServerStatus(rawValue: status))
    }

    public func encode(into buffer: inout ByteBuffer, capabilities: MySQLCapabilities) {
        buffer.writeInteger(MySQLPacketHeader.eof)
        if capabilities.contains(.protocol41) {
            buffer.writeInteger(self.warningCount, endianness: .little)
            buffer.writeInteger(self.statusFlags.rawValue, endianness: .little)
        }
    }
}
