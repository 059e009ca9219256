import NIOCore

/// The client's answer to the greeting (Protocol::HandshakeResponse41): capabilities, user, auth response.
public struct MySQLHandshakeResponse41: Sendable, Equatable {
    public var capabilities: MySQLCapabilities
    public var maxPacketSize: UInt32
    public var characterSet: UInt8
    public var username: String
    public var authResponse: [UInt8]
    /// The initial database; sent only with ``MySQLCapabilities/connectWithDB``.
    public var database: String?
    /// The plugin that produced ``authResponse``; sent only with ``MySQLCapabilities/pluginAuth``.
    public var authPluginName: String?
    /// Connection attributes; sent only with ``MySQLCapabilities/connectAttributes``.
    public var attributes: [(key: String, value: String)]

    public init(
        capabilities: MySQLCapabilities,
        maxPacketSize: UInt32,
        characterSet: UInt8 = MySQLCharacterSet.utf8mb4GeneralCI,
        username: String,
        authResponse: [UInt8],
        database: String? = nil,
        authPluginName: String? = nil,
        attributes: [(key: String, value: String)] = []
    ) {
        self.capabilities = capabilities
        self.maxPacketSize = maxPacketSize
        self.characterSet = characterSet
        self.username = username
        self.authResponse = authResponse
        self.database = database
        self.authPluginName = authPluginName
        self.attributes = attributes
    }

    public static func == (lhs: MySQLHandshakeResponse41, rhs: MySQLHandshakeResponse41) -> Bool {
        lhs.capabilities == rhs.capabilities && lhs.maxPacketSize == rhs.maxPacketSize
            && lhs.characterSet == rhs.characterSet && lhs.username == rhs.username
            && lhs.authResponse == rhs.authResponse && lhs.database == rhs.database
            && lhs.authPluginName == rhs.authPluginName
            && lhs.attributes.map(\.key) == rhs.attributes.map(\.key)
            && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.capabilities.rawValue, endianness: .little)
        buffer.writeInteger(self.maxPacketSize, endianness: .little)
        buffer.writeInteger(self.characterSet)
        buffer.writeRepeatingByte(0, count: 23)
        buffer.writeNullTerminatedString(self.username)
        if self.capabilities.contains(.pluginAuthLengthEncodedClientData) {
            buffer.writeMySQLLengthEncodedBytes(self.authResponse)
        } else if self.capabilities.contains(.secureConnection) {
            buffer.writeInteger(UInt8(truncatingIfNeeded: min(self.authResponse.count, 255)))
            buffer.writeBytes(self.authResponse.prefix(255))
        } else {
            buffer.writeBytes(self.authResponse)
            buffer.writeInteger(UInt8(0))
        }
        if self.capabilities.contains(.connectWithDB) {
            buffer.writeNullTerminatedString(self.database ?? "")
        }
        if self.capabilities.contains(.pluginAuth) {
            buffer.writeNullTerminatedString(self.authPluginName ?? "")
        }
        if self.capabilities.contains(.connectAttributes) {
            var attributes = ByteBuffer()
            for (key, value) in self.attributes {
                attributes.writeMySQLLengthEncodedString(key)
                attributes.writeMySQLLengthEncodedString(value)
            }
            buffer.writeMySQLLengthEncodedInteger(UInt64(attributes.readableBytes))
            buffer.writeImmutableBuffer(attributes)
        }
    }

    /// Decodes a handshake response payload (used by server simulators).
    ///
    /// A 32-byte payload is an ``MySQLSSLRequest``, not a handshake response; check for that first.
    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLHandshakeResponse41 {
        guard
            let rawCapabilities = buffer.readInteger(endianness: .little, as: UInt32.self),
            let maxPacketSize = buffer.readInteger(endianness: .little, as: UInt32.self),
            let characterSet = buffer.readInteger(as: UInt8.self),
            buffer.readBytes(length: 23) != nil,
            let username = buffer.readNullTerminatedString()
        else {
            throw .malformed("handshake response is truncated")
        }
        let capabilities = MySQLCapabilities(rawValue: rawCapabilities)
        guard capabilities.contains(.protocol41) else {
            throw .protocolViolation("handshake response without CLIENT_PROTOCOL_41 is not supported")
        }
        let authResponse: [UInt8]
        if capabilities.contains(.pluginAuthLengthEncodedClientData) {
            guard let slice = buffer.readMySQLLengthEncodedSlice() else {
                throw .malformed("handshake response auth data is truncated")
            }
            authResponse = Array(buffer: slice)
        } else if capabilities.contains(.secureConnection) {
            guard let length = buffer.readInteger(as: UInt8.self), let bytes = buffer.readBytes(length: Int(length)) else {
                throw .malformed("handshake response auth data is truncated")
            }
            authResponse = bytes
        } else {
            authResponse = Array(buffer.readMySQLNullTerminatedOrRestString().utf8)
        }
        var response = MySQLHandshakeResponse41(
            capabilities: capabilities,
            maxPacketSize: maxPacketSize,
            characterSet: characterSet,
            username: username,
            authResponse: authResponse
        )
        if capabilities.contains(.connectWithDB), buffer.readableBytes > 0 {
            response.database = buffer.readMySQLNullTerminatedOrRestString()
        }
        if capabilities.contains(.pluginAuth), buffer.readableBytes > 0 {
            response.authPluginName = buffer.readMySQLNullTerminatedOrRestString()
        }
        if capabilities.contains(.connectAttributes), buffer.readableBytes > 0 {
            guard var attributes = buffer.readMySQLLengthEncodedSlice() else {
                throw .malformed("handshake response connection attributes are truncated")
            }
            while attributes.readableBytes > 0 {
                guard
                    let key = attributes.readMySQLLengthEncodedString(),
                    let value = attributes.readMySQLLengthEncodedString()
                else {
                    throw .malformed("handshake response connection attribute is truncated")
                }
                response.attributes.append((key, value))
            }
        }
        return response
    }
}
