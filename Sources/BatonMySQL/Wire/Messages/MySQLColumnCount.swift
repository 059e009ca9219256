import NIOCore

/// The first packet of a text result set: the number of columns as a length-encoded integer.
public enum MySQLColumnCount {
    /// The most columns a result set may have (MySQL's own limit is 4096).
    public static let maximum = 65_535

    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> Int {
        guard let count = buffer.readMySQLLengthEncodedInteger() else {
            throw .malformed("column count is truncated or invalid")
        }
        guard count > 0, count <= UInt64(Self.maximum) else {
            throw .malformed("column count \(count) is out of range 1...\(Self.maximum)")
        }
        return Int(count)
    }

    public static func encode(_ count: Int, into buffer: inout ByteBuffer) {
        buffer.writeMySQLLengthEncodedInteger(UInt64(max(0, count)))
    }
}
