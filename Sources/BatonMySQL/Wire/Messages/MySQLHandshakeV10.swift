import NIOCore

/// The server's greeting (Protocol::HandshakeV10), the first packet on every connection.
public struct MySQLHandshakeV10: Sendable, Equatable {
    /// The protocol version; always 10 for servers this client supports.
    public var protocolVersion: UInt8
    /// The server version as sent (MariaDB prefixes it with `5.5.5-`).
    public var serverVersion: String
    public var connectionID: UInt32
    /// The authentication nonce (usually 20 bytes), without its trailing NUL.
    public var authPluginData: [UInt8]
    public var capabilities: MySQLCapabilities
    public var characterSet: UInt8
    public var statusFlags: MySQLServerStatus
    /// The server's default authentication plugin, when it sends one.
    public var authPluginName: String?
    /// MariaDB's extended capabilities (the last 4 of the 10 reserved bytes).
    public var mariaDBExtendedCapabilities: UInt32

    public init(
        protocolVersion: UInt8 = 10,
        serverVersion: String,
        connectionID: UInt32,
        authPluginData: [UInt8],
        capabilities: MySQLCapabilities,
        characterSet: UInt8 = MySQLCharacterSet.utf8mb4GeneralCI,
        statusFlags: MySQLServerStatus = .autocommit,
        authPluginName: String? = MySQLAuthPlugin.nativePassword,
        mariaDBExtendedCapabilities: UInt32 = 0
    ) {
        self.protocolVersion = protocolVersion
        self.serverVersion = serverVersion
        self.connectionID = connectionID
        self.authPluginData = authPluginData
        self.capabilities = capabilities
        self.characterSet = characterSet
        self.statusFlags = statusFlags
        self.authPluginName = authPluginName
        self.mariaDBExtendedCapabilities = mariaDBExtendedCapabilities
    }

    /// The version without MariaDB's `5.5.5-` replication-compatibility prefix.
    public var displayVersion: String {
        let prefix = "5.5.5-"
        if self.serverVersion.hasPrefix(prefix), self.serverVersion.contains("MariaDB") {
            return String(self.serverVersion.dropFirst(prefix.count))
        }
        return self.serverVersion
    }

    /// Decodes a greeting payload.
    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLHandshakeV10 {
        guard let version = buffer.readInteger(as: UInt8.self) else {
            throw .malformed("empty server greeting")
        }
        guard version == 10 else {
            throw MySQLError(
                code: .protocolViolation,
                message: "server greeting has protocol version \(version); only version 10 is supported"
            )
        }
        guard
            let serverVersion = buffer.readNullTerminatedString(),
            let connectionID = buffer.readInteger(endianness: .little, as: UInt32.self),
            let part1 = buffer.readBytes(length: 8),
            buffer.readInteger(as: UInt8.self) != nil,
            let capabilitiesLow = buffer.readInteger(endianness: .little, as: UInt16.self)
        else {
            throw .malformed("server greeting is truncated")
        }
        var handshake = MySQLHandshakeV10(
            protocolVersion: version,
            serverVersion: serverVersion,
            connectionID: connectionID,
            authPluginData: part1,
            capabilities: MySQLCapabilities(rawValue: UInt32(capabilitiesLow)),
            characterSet: 0,
            statusFlags: [],
            authPluginName: nil
        )
        guard buffer.readableBytes > 0 else {
            return handshake
        }
        guard
            let characterSet = buffer.readInteger(as: UInt8.self),
            let status = buffer.readInteger(endianness: .little, as: UInt16.self),
            let capabilitiesHigh = buffer.readInteger(endianness: .little, as: UInt16.self),
            let authDataLength = buffer.readInteger(as: UInt8.self),
            buffer.readBytes(length: 6) != nil,
            let extended = buffer.readInteger(endianness: .little, as: UInt32.self)
        else {
            throw .malformed("server greeting is truncated")
        }
        handshake.characterSet = characterSet
        handshake.statusFlags = MySQLServerStatus(rawValue: status)
        handshake.capabilities.insert(MySQLCapabilities(rawValue: UInt32(capabilitiesHigh) << 16))
        handshake.mariaDBExtendedCapabilities = extended
        if handshake.capabilities.contains(.secureConnection) {
            let wanted = max(13, Int(authDataLength) - 8)
            var part2 = buffer.readBytes(length: min(wanted, buffer.readableBytes)) ?? []
            if part2.last == 0 {
                part2.removeLast()
            }
            handshake.authPluginData += part2
        }
        if handshake.capabilities.contains(.pluginAuth), buffer.readableBytes > 0 {
            handshake.authPluginName = buffer.readMySQLNullTerminatedOrRestString()
        }
        return handshake
    }

    /// Encodes the greeting payload (used by server simulators).
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.protocolVersion)
        buffer.writeNullTerminatedString(self.serverVersion)
        buffer.writeInteger(self.connectionID, endianness: .little)
        var data = self.authPluginData
        while data.count < 8 {
            data.append(0)
        }
        buffer.writeBytes(data.prefix(8))
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt16(truncatingIfNeeded: self.capabilities.rawValue), endianness: .little)
        buffer.writeInteger(self.characterSet)
        buffer.writeInteger(self.statusFlags.rawValue, endianness: .little)
        buffer.writeInteger(UInt16(truncatingIfNeeded: self.capabilities.rawValue >> 16), endianness: .little)
        let part2 = Array(data.dropFirst(8)) + [0]
        let advertised = self.capabilities.contains(.pluginAuth) ? 8 + part2.count : 0
        buffer.writeInteger(UInt8(truncatingIfNeeded: advertised))
        buffer.writeRepeatingByte(0, count: 6)
        buffer.writeInteger(self.mariaDBExtendedCapabilities, endianness: .little)
        if self.capabilities.contains(.secureConnection) {
            var padded = part2
            while padded.count < 13 {
                padded.insert(0, at: padded.count - 1)
            }
            buffer.writeBytes(padded)
        }
        if self.capabilities.contains(.pluginAuth) {
            buffer.writeNullTerminatedString(self.authPluginName ?? "")
        }
    }
}
