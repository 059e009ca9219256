import NIOCore

extension ByteBuffer {
    /// Reads a length-encoded integer; nil if the buffer is too short or the first byte is 0xFB (NULL) or 0xFF.
    public mutating func readMySQLLengthEncodedInteger() -> UInt64? {
        let start = self.readerIndex
        guard let first = self.readInteger(as: UInt8.self) else {
            return nil
        }
        let value: UInt64?
        switch first {
        case 0..<0xFB:
            value = UInt64(first)
        case 0xFC:
            value = self.readInteger(endianness: .little, as: UInt16.self).map(UInt64.init)
        case 0xFD:
            if let low = self.readInteger(endianness: .little, as: UInt16.self),
               let high = self.readInteger(as: UInt8.self) {
                value = UInt64(low) | UInt64(high) << 16
            } else {
                value = nil
            }
        case 0xFE:
            value = self.readInteger(endianness: .little, as: UInt64.self)
        default:
            value = nil
        }
        if value == nil {
            self.moveReaderIndex(to: start)
        }
        return value
    }

    /// Writes `value` as a length-encoded integer.
    public mutating func writeMySQLLengthEncodedInteger(_ value: UInt64) {
        switch value {
        case 0..<0xFB:
            self.writeInteger(UInt8(value))
        case 0xFB...0xFFFF:
            self.writeInteger(UInt8(0xFC))
            self.writeInteger(UInt16(value), endianness: .little)
        case 0x1_0000...0xFF_FFFF:
            self.writeInteger(UInt8(0xFD))
            self.writeInteger(UInt16(truncatingIfNeeded: value), endianness: .little)
            self.writeInteger(UInt8(truncatingIfNeeded: value >> 16))
        default:
            self.writeInteger(UInt8(0xFE))
            self.writeInteger(value, endianness: .little)
        }
    }

    /// Reads a length-encoded string as raw bytes; nil if the buffer is too short or the length is invalid.
    public mutating func readMySQLLengthEncodedSlice() -> ByteBuffer? {
        let start = self.readerIndex
        guard
            let length = self.readMySQLLengthEncodedInteger(),
            let count = Int(exactly: length),
            let slice = self.readSlice(length: count)
        else {
            self.moveReaderIndex(to: start)
            return nil
        }
        return slice
    }

    /// Reads a length-encoded string, decoding UTF-8 leniently (invalid bytes become U+FFFD).
    public mutating func readMySQLLengthEncodedString() -> String? {
        self.readMySQLLengthEncodedSlice().map { String(buffer: $0) }
    }

    /// Writes `bytes` as a length-encoded string.
    public mutating func writeMySQLLengthEncodedBytes(_ bytes: some Collection<UInt8>) {
        self.writeMySQLLengthEncodedInteger(UInt64(bytes.count))
        self.writeBytes(bytes)
    }

    /// Writes `string` (UTF-8) as a length-encoded string.
    public mutating func writeMySQLLengthEncodedString(_ string: String) {
        self.writeMySQLLengthEncodedBytes(Array(string.utf8))
    }

    /// Reads a NUL-terminated string, or the rest of the buffer if no NUL follows.
    mutating func readMySQLNullTerminatedOrRestString() -> String {
        if let string = self.readNullTerminatedString() {
            return string
        }
        return self.readString(length: self.readableBytes) ?? ""
    }

    /// Reads the rest of the buffer as a lenient UTF-8 string.
    mutating func readMySQLRestString() -> String {
        self.readString(length: self.readableBytes) ?? ""
    }

    /// Reads the rest of the buffer as bytes.
    mutating func readMySQLRestBytes() -> [UInt8] {
        self.readBytes(length: self.readableBytes) ?? []
    }
}
