import NIOCore

/// A row of a text result set (Protocol::TextResultsetRow): one length-encoded string per column, 0xFB for NULL.
public struct MySQLTextRow: Sendable, Equatable {
    /// The marker byte for a NULL value.
    public static let nullMarker: UInt8 = 0xFB

    public var values: [String?]

    public init(values: [String?]) {
        self.values = values
    }

    /// Decodes a row that must hold exactly `columnCount` values.
    public static func decode(from buffer: inout ByteBuffer, columnCount: Int) throws(MySQLError) -> MySQLTextRow {
        var values: [String?] = []
        values.reserveCapacity(min(columnCount, 256))
        for index in 0..<max(0, columnCount) {
            if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == Self.nullMarker {
                buffer.moveReaderIndex(forwardBy: 1)
                values.append(nil)
            } else if let value = buffer.readMySQLLengthEncodedString() {
                values.append(value)
            } else {
                throw .malformed("row value \(index + 1) of \(columnCount) is truncated or invalid")
            }
        }
        guard buffer.readableBytes == 0 else {
            throw .malformed("row has \(buffer.readableBytes) bytes after its \(columnCount) values")
        }
        return MySQLTextRow(values: values)
    }

    public func encode(into buffer: inout ByteBuffer) {
        for value in self.values {
            if let value {
                buffer.writeMySQLLengthEncodedString(value)
            } else {
                buffer.writeInteger(Self.nullMarker)
            }
        }
    }
}
