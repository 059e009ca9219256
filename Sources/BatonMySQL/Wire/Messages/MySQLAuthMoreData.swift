import NIOCore

/// Extra authentication data from the server (Protocol::AuthMoreData, header 0x01).
///
/// For `caching_sha2_password` the data is one byte: ``fastAuthSuccess`` or ``performFullAuthentication``.
public struct MySQLAuthMoreData: Sendable, Equatable {
    /// caching_sha2_password: the scramble matched the server's cache; an OK packet follows.
    public static let fastAuthSuccess: UInt8 = 0x03
    /// caching_sha2_password: the server needs the password itself (over TLS) or an RSA exchange.
    public static let performFullAuthentication: UInt8 = 0x04

    public var data: [UInt8]

    public init(data: [UInt8]) {
        self.data = data
    }

    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLAuthMoreData {
        guard buffer.readInteger(as: UInt8.self) == MySQLPacketHeader.authMoreData else {
            throw .malformed("auth more data must start with 0x01")
        }
        return MySQLAuthMoreData(data: buffer.readMySQLRestBytes())
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(MySQLPacketHeader.authMoreData)
        buffer.writeBytes(self.data)
    }
}
