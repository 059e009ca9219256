import NIOCore

/// The client's request to switch to TLS (Protocol::SSLRequest): the first 32 bytes of a handshake response.
public struct MySQLSSLRequest: Sendable, Equatable {
    /// The exact payload length of an SSLRequest, which tells it apart from a full handshake response.
    public static let payloadLength = 32

    public var capabilities: MySQLCapabilities
    public var maxPacketSize: UInt32
    public var characterSet: UInt8

    public init(capabilities: MySQLCapabilities, maxPacketSize: UInt32, characterSet: UInt8 = MySQLCharacterSet.utf8mb4GeneralCI) {
        self.capabilities = capabilities
        self.maxPacketSize = maxPacketSize
        self.characterSet = characterSet
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.capabilities.rawValue, endianness: .little)
        buffer.writeInteger(self.maxPacketSize, endianness: .little)
        buffer.writeInteger(self.characterSet)
        buffer.writeRepeatingByte(0, count: 23)
    }

    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLSSLRequest {
        guard
            buffer.readableBytes == Self.payloadLength,
            let capabilities = buffer.readInteger(endianness: .little, as: UInt32.self),
            let maxPacketSize = buffer.readInteger(endianness: .little, as: UInt32.self),
            let characterSet = buffer.readInteger(as: UInt8.self),
            buffer.readBytes(length: 23) != nil
        else {
            throw .malformed("SSL request must be exactly \(Self.payloadLength) bytes")
        }
        return MySQLSSLRequest(
            capabilities: MySQLCapabilities(rawValue: capabilities),
            maxPacketSize: maxPacketSize,
            characterSet: characterSet
        )
    }
}
