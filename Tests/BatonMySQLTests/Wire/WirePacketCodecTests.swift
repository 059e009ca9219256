import NIOCore
import NIOEmbedded
import Testing

@testable import BatonMySQL

@Suite("Wire packet framing")
struct WirePacketCodecTests {
    private func wire(_ packets: [MySQLPacket]) -> ByteBuffer {
        var out = ByteBuffer()
        for packet in packets {
            MySQLPacketEncoder.write(packet, into: &out)
        }
        return out
    }

    private func decodeAll(_ chunks: [ByteBuffer], maxPayloadSize: Int = MySQLPacketDecoder.defaultMaxPayloadSize) throws -> [MySQLPacket] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MySQLPacketDecoder(maxPayloadSize: maxPayloadSize)))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        for chunk in chunks {
            try channel.writeInbound(chunk)
        }
        var packets: [MySQLPacket] = []
        while let packet = try channel.readInbound(as: MySQLPacket.self) {
            packets.append(packet)
        }
        return packets
    }

    @Test func headerIsLittleEndianLengthAndSequenceID() {
        let bytes = self.wire([MySQLPacket(sequenceID: 7, payload: ByteBuffer(bytes: [0xAA, 0xBB, 0xCC]))])
        #expect(Array(buffer: bytes) == [3, 0, 0, 7, 0xAA, 0xBB, 0xCC])
    }

    @Test func splitAtEveryByteBoundary() throws {
        let packets = [
            MySQLPacket(sequenceID: 0, payload: ByteBuffer(string: "hello")),
            MySQLPacket(sequenceID: 1, payload: ByteBuffer()),
            MySQLPacket(sequenceID: 2, payload: ByteBuffer(repeating: 0x5A, count: 300)),
        ]
        let stream = self.wire(packets)
        for split in 0...stream.readableBytes {
            let first = stream.getSlice(at: 0, length: split) ?? ByteBuffer()
            let second = stream.getSlice(at: split, length: stream.readableBytes - split) ?? ByteBuffer()
            #expect(try self.decodeAll([first, second]) == packets, "split at \(split)")
        }
        // And byte by byte.
        let single = (0..<stream.readableBytes).map { stream.getSlice(at: $0, length: 1) ?? ByteBuffer() }
        #expect(try self.decodeAll(single) == packets)
    }

    @Test func continuationPacketsAreReassembled() throws {
        // A payload of exactly 0xFFFFFF bytes needs a trailing empty packet; one byte more needs a 1-byte packet.
        for extra in [0, 1, 1000] {
            let length = MySQLPacket.maxWirePayload + extra
            var payload = ByteBuffer()
            payload.writeRepeatingByte(0x41, count: length - 2)
            payload.writeBytes([0x01, 0x02])
            let packet = MySQLPacket(sequenceID: 3, payload: payload)
            let stream = self.wire([packet, MySQLPacket(sequenceID: 5, payload: ByteBuffer(string: "next"))])
            #expect(stream.readableBytes == length + 8 + 4 + 4)
            #expect(stream.getInteger(at: MySQLPacket.maxWirePayload + 4 + 3, as: UInt8.self) == 4)

            // Feed in uneven chunks crossing the fragment boundary.
            var chunks: [ByteBuffer] = []
            var offset = 0
            for size in [3, 100_000, MySQLPacket.maxWirePayload - 50_000, 7, Int.max] {
                let take = min(size, stream.readableBytes - offset)
                if take <= 0 { break }
                chunks.append(stream.getSlice(at: offset, length: take) ?? ByteBuffer())
                offset += take
            }
            let decoded = try self.decodeAll(chunks, maxPayloadSize: 32 * 1024 * 1024)
            #expect(decoded.count == 2)
            #expect(decoded.first?.sequenceID == 3)
            #expect(decoded.first?.lastSequenceID == 4)
            #expect(decoded.first?.payload.readableBytes == length)
            #expect(decoded.first?.payload == payload)
            #expect(decoded.last?.payload == ByteBuffer(string: "next"))
        }
    }

    @Test func oversizedPacketIsRejectedFromItsHeader() {
        var header = ByteBuffer(bytes: [0x01, 0x00, 0x01, 0x00])  // 65_537 bytes announced, none sent
        header.writeBytes([1, 2, 3])
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MySQLPacketDecoder(maxPayloadSize: 65_536)))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        #expect {
            try channel.writeInbound(header)
        } throws: { error in
            (error as? MySQLError)?.code == .packetTooLarge
        }
    }

    @Test func continuedPayloadOverTheLimitIsRejected() {
        var stream = ByteBuffer()
        stream.writeBytes([0xFF, 0xFF, 0xFF, 0x00])
        stream.writeRepeatingByte(0, count: MySQLPacket.maxWirePayload)
        stream.writeBytes([0x02, 0x00, 0x00, 0x01])  // continuation of 2 more bytes: 0xFFFFFF + 2 > limit
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MySQLPacketDecoder(maxPayloadSize: MySQLPacket.maxWirePayload + 1)))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        #expect {
            try channel.writeInbound(stream)
        } throws: { error in
            (error as? MySQLError)?.code == .packetTooLarge
        }
    }

    @Test func continuationWithWrongSequenceIDIsAProtocolViolation() {
        var stream = ByteBuffer()
        stream.writeBytes([0xFF, 0xFF, 0xFF, 0x00])
        stream.writeRepeatingByte(0, count: MySQLPacket.maxWirePayload)
        stream.writeBytes([0x01, 0x00, 0x00, 0x05, 0x00])
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MySQLPacketDecoder(maxPayloadSize: 32 * 1024 * 1024)))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        #expect {
            try channel.writeInbound(stream)
        } throws: { error in
            (error as? MySQLError)?.code == .protocolViolation
        }
    }

    @Test func truncatedPacketAtEndOfStreamIsDropped() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(MySQLPacketDecoder()))
        try channel.writeInbound(ByteBuffer(bytes: [0x05, 0x00, 0x00, 0x00, 0x01]))
        #expect(try channel.readInbound(as: MySQLPacket.self) == nil)
        #expect(throws: Never.self) { try channel.finish() }
    }

    @Test func encoderHandlerWritesWirePackets() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(MySQLPacketEncoder()))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try channel.writeOutbound(MySQLPacket(sequenceID: 9, payload: ByteBuffer(bytes: [0x0E])))
        let bytes = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(buffer: bytes) == [1, 0, 0, 9, 0x0E])
    }
}
