import NIOCore
import NIOEmbedded
import Testing

@testable import BatonRaft

/// The TCP transport's frames: sealing, authentication, and the decoder's limits, without sockets.
struct RaftFrameTests {
    let message = RaftMessage(from: 1, to: 2, term: 7, payload: .heartbeat(.init(commit: 42)))

    @Test(arguments: [nil, "s3cret"])
    func sealedFramesOpen(secret: String?) throws {
        let codec = RaftFrameCodec(secret: secret.map { Array($0.utf8) }, maxFrameSize: 1 << 20)
        let frame = try #require(codec.seal(.message, message.encoded()))
        let (kind, payload) = try codec.open(frame)
        #expect(kind == .message)
        #expect(try RaftMessage(decoding: payload) == message)
        #expect(frame.readableBytes == 4 + 3 + payload.count + (secret == nil ? 0 : 32))
    }

    @Test func wrongSecretIsRejected() throws {
        let sender = RaftFrameCodec(secret: Array("one".utf8), maxFrameSize: 1 << 20)
        let receiver = RaftFrameCodec(secret: Array("two".utf8), maxFrameSize: 1 << 20)
        let frame = try #require(sender.seal(.message, message.encoded()))
        #expect { try receiver.open(frame) } throws: { ($0 as? RaftFrameError)?.code == .authenticationFailed }
    }

    @Test func tamperedFrameIsRejected() throws {
        let codec = RaftFrameCodec(secret: Array("s3cret".utf8), maxFrameSize: 1 << 20)
        var frame = try #require(codec.seal(.message, message.encoded()))
        let at = frame.readerIndex + 9
        frame.setInteger(frame.getInteger(at: at, as: UInt8.self)! ^ 1, at: at)
        #expect { try codec.open(frame) } throws: { ($0 as? RaftFrameError)?.code == .authenticationFailed }
    }

    @Test func authenticationMustMatchOnBothSides() throws {
        let plain = RaftFrameCodec(secret: nil, maxFrameSize: 1 << 20)
        let keyed = RaftFrameCodec(secret: Array("s3cret".utf8), maxFrameSize: 1 << 20)
        let plainFrame = try #require(plain.seal(.message, message.encoded()))
        let keyedFrame = try #require(keyed.seal(.message, message.encoded()))
        #expect { try keyed.open(plainFrame) } throws: { ($0 as? RaftFrameError)?.code == .unauthenticated }
        #expect { try plain.open(keyedFrame) } throws: { ($0 as? RaftFrameError)?.code == .unauthenticated }
    }

    @Test func unknownVersionKindAndFlagsAreRejected() throws {
        let codec = RaftFrameCodec(secret: nil, maxFrameSize: 1 << 20)
        for (offset, value, code) in [
            (4, UInt8(9), RaftFrameError.Code.unsupportedVersion), (5, 7, .malformed), (6, 0x80, .malformed),
        ] {
            var frame = try #require(codec.seal(.message, message.encoded()))
            frame.setInteger(value, at: frame.readerIndex + offset)
            #expect { try codec.open(frame) } throws: { ($0 as? RaftFrameError)?.code == code }
        }
    }

    @Test func payloadBeyondTheLimitIsNotSealed() {
        let codec = RaftFrameCodec(secret: Array("s3cret".utf8), maxFrameSize: 1024)
        #expect(codec.seal(.message, [UInt8](repeating: 0, count: codec.maxPayloadSize)) != nil)
        #expect(codec.seal(.message, [UInt8](repeating: 0, count: codec.maxPayloadSize + 1)) == nil)
    }

    @Test func decoderSplitsTheStreamIntoFrames() throws {
        let codec = RaftFrameCodec(secret: nil, maxFrameSize: 1024)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RaftFrameDecoder(maxFrameSize: 1024)))
        var stream = try #require(codec.seal(.hello, RaftHello(sender: 1, target: 2, address: "a:1").encoded()))
        var second = try #require(codec.seal(.message, message.encoded()))
        stream.writeBuffer(&second)
        // Byte by byte: frames come out whole.
        while let byte = stream.readSlice(length: 1) { try channel.writeInbound(byte) }
        let first = try #require(try channel.readInbound(as: ByteBuffer.self))
        let next = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(try codec.open(first).0 == .hello)
        #expect(try RaftMessage(decoding: codec.open(next).1) == message)
        #expect(try channel.finish().isClean)
    }

    @Test(arguments: [UInt32(2000), 1, 0xFFFF_FFFF])
    func decoderRefusesLengthsOutOfRange(length: UInt32) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RaftFrameDecoder(maxFrameSize: 1024)))
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        #expect(throws: RaftFrameError.self) { try channel.writeInbound(buffer) }
    }

    @Test func helloRoundTrips() throws {
        let hello = RaftHello(sender: 3, target: 1, address: "[::1]:10008")
        #expect(try RaftHello(decoding: hello.encoded()) == hello)
        #expect(throws: RaftWireError.self) { try RaftHello(decoding: [0x80]) }
    }

    @Test(arguments: [
        ("127.0.0.1:10008", "127.0.0.1", 10008), ("node-1.example:1", "node-1.example", 1), ("[::1]:7", "::1", 7),
    ])
    func addressesParse(text: String, host: String, port: Int) throws {
        let address = try #require(RaftPeerAddress(text))
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
    }

    @Test(arguments: ["", "host", "host:", ":80", "host:0", "host:70000", "::1:80", "[::1]80", "h:x"])
    func badAddressesDoNotParse(text: String) {
        #expect(RaftPeerAddress(text) == nil)
    }
}
