import NIOCore

/// One logical MySQL packet: a payload and the sequence id of its first wire packet.
///
/// Payloads of 0xFFFFFF bytes or more travel as several wire packets with consecutive sequence ids;
/// ``MySQLPacketDecoder`` reassembles them and ``MySQLPacketEncoder`` splits them.
public struct MySQLPacket: Sendable, Equatable {
    /// The largest payload of a single wire packet; a payload this long is continued in the next packet.
    public static let maxWirePayload = 0xFF_FFFF

    /// The sequence id of the first wire packet.
    public var sequenceID: UInt8
    /// The reassembled payload.
    public var payload: ByteBuffer

    public init(sequenceID: UInt8, payload: ByteBuffer) {
        self.sequenceID = sequenceID
        self.payload = payload
    }

    /// The number of wire packets this payload occupies.
    public var wirePacketCount: Int {
        self.payload.readableBytes / Self.maxWirePayload + 1
    }

    /// The sequence id of the last wire packet of this payload.
    public var lastSequenceID: UInt8 {
        self.sequenceID &+ UInt8(truncatingIfNeeded: self.wirePacketCount - 1)
    }

    /// The first payload byte, which identifies most server responses, or nil for an empty payload.
    public var firstByte: UInt8? {
        self.payload.getInteger(at: self.payload.readerIndex, as: UInt8.self)
    }
}

/// Well-known first payload bytes of server responses.
public enum MySQLPacketHeader {
    public static let ok: UInt8 = 0x00
    public static let authMoreData: UInt8 = 0x01
    public static let localInfile: UInt8 = 0xFB
    public static let eof: UInt8 = 0xFE
    public static let authSwitch: UInt8 = 0xFE
    public static let err: UInt8 = 0xFF
}
