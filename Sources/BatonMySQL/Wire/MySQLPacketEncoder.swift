import NIOCore

/// Writes ``MySQLPacket``s as wire packets, splitting payloads of 0xFFFFFF bytes or more into continuation
/// packets with consecutive sequence ids. Usable by clients and servers alike.
public struct MySQLPacketEncoder: MessageToByteEncoder {
    public typealias OutboundIn = MySQLPacket

    public init() {}

    public func encode(data packet: MySQLPacket, out: inout ByteBuffer) {
        Self.write(packet, into: &out)
    }

    /// Appends the wire form of `packet` to `out`.
    public static func write(_ packet: MySQLPacket, into out: inout ByteBuffer) {
        var payload = packet.payload
        var sequenceID = packet.sequenceID
        out.reserveCapacity(minimumWritableBytes: payload.readableBytes + 4 * packet.wirePacketCount)
        while true {
            let length = min(payload.readableBytes, MySQLPacket.maxWirePayload)
            out.writeInteger(UInt16(truncatingIfNeeded: length), endianness: .little)
            out.writeInteger(UInt8(truncatingIfNeeded: length >> 16))
            out.writeInteger(sequenceID)
            if let fragment = payload.readSlice(length: length) {
                out.writeImmutableBuffer(fragment)
            }
            guard length == MySQLPacket.maxWirePayload else {
                return
            }
            sequenceID &+= 1
        }
    }
}
