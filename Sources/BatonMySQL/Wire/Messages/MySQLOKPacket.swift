import NIOCore

/// The server's success answer (Protocol::OK_Packet), also used with header 0xFE to end result sets when
/// ``MySQLCapabilities/deprecateEOF`` is negotiated.
public struct MySQLOKPacket: Sendable, Equatable {
    /// 0x00, or 0xFE when the packet ends a result set under CLIENT_DEPRECATE_EOF.
    public var header: UInt8
    public var affectedRows: UInt64
    public var lastInsertID: UInt64
    public var statusFlags: MySQLServerStatus
    public var warningCount: UInt16
    public var info: String
    /// Raw session state change information (only with ``MySQLCapabilities/sessionTrack``).
    public var sessionStateChanges: [UInt8]

    public init(
        header: UInt8 = MySQLPacketHeader.ok,
        affectedRows: UInt64 = 0,
        lastInsertID: UInt64 = 0,
        statusFlags: MySQLServerStatus = .autocommit,
        warningCount: UInt16 = 0,
        info: String = "",
        sessionStateChanges: [UInt8] = []
    ) {
        self.header = header
        self.affectedRows = affectedRows
        self.lastInsertID = lastInsertID
        self.statusFlags = statusFlags
        self.warningCount = warningCount
        self.info = info
        self.sessionStateChanges = sessionStateChanges
    }

    public static func decode(from buffer: inout ByteBuffer, capabilities: MySQLCapabilities) throws(MySQLError) -> MySQLOKPacket {
        guard let header = buffer.readInteger(as: UInt8.self), header == MySQLPacketHeader.ok || header == MySQLPacketHeader.eof else {
            throw .malformed("OK packet must start with 0x00 or 0xFE")
        }
        guard
            let affectedRows = buffer.readMySQLLengthEncodedInteger(),
            let lastInsertID = buffer.readMySQLLengthEncodedInteger()
        else {
            throw .malformed("OK packet is truncated")
        }
        var packet = MySQLOKPacket(header: header, affectedRows: affectedRows, lastInsertID: lastInsertID, statusFlags: [])
        if capabilities.contains(.protocol41) {
            guard
                let status = buffer.readInteger(endianness: .little, as: UInt16.self),
                let warnings = buffer.readInteger(endianness: .little, as: UInt16.self)
            else {
                throw .malformed("OK packet is truncated")
            }
            packet.statusFlags = MySQLServerStatus(rawValue: status)
            packet.warningCount = warnings
        } else if capabilities.contains(.transactions) {
            guard let status = buffer.readInteger(endianness: .little, as: UInt16.self) else {
                throw .malformed("OK packet is truncated")
            }
            packet.statusFlags = MySQLServerStatus(rawValue: status)
        }
        if capabilities.contains(.sessionTrack) {
            if buffer.readableBytes > 0 {
                guard let info = buffer.readMySQLLengthEncodedString() else {
                    throw .malformed("OK packet info is truncated")
                }
                packet.info = info
            }
            if packet.statusFlags.contains(.sessionStateChanged), buffer.readableBytes > 0 {
                guard let changes = buffer.readMySQLLengthEncodedSlice() else {
                    throw .malformed("OK packet session state is truncated")
                }
                packet.sessionStateChanges = Array(buffer: changes)
            }
        } else {
            packet.info = buffer.readMySQLRestString()
        }
        return packet
    }

    public func encode(into buffer: inout ByteBuffer, capabilities: MySQLCapabilities) {
        buffer.writeInteger(self.header)
        buffer.writeMySQLLengthEncodedInteger(self.affectedRows)
        buffer.writeMySQLLengthEncodedInteger(self.lastInsertID)
        if capabilities.contains(.protocol41) {
            buffer.writeInteger(self.statusFlags.rawValue, endianness: .little)
            buffer.writeInteger(self.warningCount, endianness: .little)
        } else if capabilities.contains(.transactions) {
            buffer.writeInteger(self.statusFlags.rawValue, endianness: .little)
        }
        if capabilities.contains(.sessionTrack) {
            if !self.info.isEmpty || self.statusFlags.contains(.sessionStateChanged) {
                buffer.writeMySQLLengthEncodedString(self.info)
            }
            if self.statusFlags.contains(.sessionStateChanged) {
                buffer.writeMySQLLengthEncodedBytes(self.sessionStateChanges)
            }
        } else {
            buffer.writeString(self.info)
        }
    }
}
