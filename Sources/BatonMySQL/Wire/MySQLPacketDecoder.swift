import NIOCore

/// Splits a byte stream into ``MySQLPacket``s: 3-byte little-endian length, 1-byte sequence id, payload.
///
/// Continued payloads (wire packets of exactly 0xFFFFFF bytes) are reassembled. A payload that would exceed
/// `maxPayloadSize` is rejected with ``MySQLError/Code/packetTooLarge`` as soon as its header is seen, so memory
/// never grows beyond the limit. Usable by clients and servers alike.
public struct MySQLPacketDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = MySQLPacket

    /// The default limit for an assembled payload: 16 MiB.
    public static let defaultMaxPayloadSize = 16 * 1024 * 1024

    /// The largest assembled payload accepted.
    public let maxPayloadSize: Int

    /// A payload being reassembled from continued wire packets.
    private var partial: (sequenceID: UInt8, lastSequenceID: UInt8, payload: ByteBuffer)?

    public init(maxPayloadSize: Int = MySQLPacketDecoder.defaultMaxPayloadSize) {
        self.maxPayloadSize = max(0, maxPayloadSize)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> MySQLPacket? {
        while true {
            guard let header = Self.peekHeader(buffer) else {
                return nil
            }
            let assembledSoFar = self.partial?.payload.readableBytes ?? 0
            guard header.length <= self.maxPayloadSize - assembledSoFar else {
                throw MySQLError(
                    code: .packetTooLarge,
                    message: "packet of \(assembledSoFar + header.length) bytes exceeds the limit of \(self.maxPayloadSize) bytes"
                )
            }
            if let partial = self.partial, header.sequenceID != partial.lastSequenceID &+ 1 {
                throw MySQLError.protocolViolation(
                    "continuation packet has sequence id \(header.sequenceID), expected \(partial.lastSequenceID &+ 1)"
                )
            }
            guard buffer.readableBytes >= 4 + header.length else {
                return nil
            }
            buffer.moveReaderIndex(forwardBy: 4)
            guard let fragment = buffer.readSlice(length: header.length) else {
                return nil
            }
            let continues = header.length == MySQLPacket.maxWirePayload
            if var partial = self.partial {
                partial.payload.writeImmutableBuffer(fragment)
                partial.lastSequenceID = header.sequenceID
                if continues {
                    self.partial = partial
                    continue
                }
                self.partial = nil
                return MySQLPacket(sequenceID: partial.sequenceID, payload: partial.payload)
            }
            if continues {
                var payload = ByteBuffer()
                payload.reserveCapacity(min(self.maxPayloadSize, 2 * MySQLPacket.maxWirePayload))
                payload.writeImmutableBuffer(fragment)
                self.partial = (header.sequenceID, header.sequenceID, payload)
                continue
            }
            return MySQLPacket(sequenceID: header.sequenceID, payload: fragment)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MySQLPacket? {
        let packet = try self.decode(buffer: &buffer)
        if packet == nil, seenEOF {
            // A truncated packet at end of stream cannot be completed; drop it so the handler does not report
            // leftover bytes as a separate error. The connection state machine reports the closed connection.
            buffer.moveReaderIndex(to: buffer.writerIndex)
            self.partial = nil
        }
        return packet
    }

    private static func peekHeader(_ buffer: ByteBuffer) -> (length: Int, sequenceID: UInt8)? {
        let index = buffer.readerIndex
        guard
            let low = buffer.getInteger(at: index, endianness: .little, as: UInt16.self),
            let high = buffer.getInteger(at: index + 2, as: UInt8.self),
            let sequenceID = buffer.getInteger(at: index + 3, as: UInt8.self)
        else {
            return nil
        }
        return (Int(low) | Int(high) << 16, sequenceID)
    }
}
