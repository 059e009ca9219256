import NIOCore

/// The server's request to authenticate with another plugin (Protocol::AuthSwitchRequest, header 0xFE).
public struct MySQLAuthSwitchRequest: Sendable, Equatable {
    public var pluginName: String
    /// The new nonce, without its trailing NUL.
    public var pluginData: [UInt8]

    public init(pluginName: String, pluginData: [UInt8]) {
        self.pluginName = pluginName
        self.pluginData = pluginData
    }

    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLAuthSwitchRequest {
        guard buffer.readInteger(as: UInt8.self) == MySQLPacketHeader.authSwitch else {
            throw .malformed("auth switch request must start with 0xFE")
        }
        guard buffer.readableBytes > 0 else {
            throw MySQLError(
                code: .unsupportedAuthPlugin,
                message: "server requested the pre-4.1 mysql_old_password authentication, which is not supported"
            )
        }
        let name = buffer.readMySQLNullTerminatedOrRestString()
        var data = buffer.readMySQLRestBytes()
        if data.last == 0 {
            data.removeLast()
        }
        return MySQLAuthSwitchRequest(pluginName: name, pluginData: data)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(MySQLPacketHeader.authSwitch)
        buffer.writeNullTerminatedString(self.pluginName)
        buffer.writeBytes(self.pluginData)
        buffer.writeInteger(UInt8(0))
    }
}
