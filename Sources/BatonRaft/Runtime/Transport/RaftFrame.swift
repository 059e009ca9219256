import Crypto
import NIOCore

/// The frames of ``RaftTCPTransport``.
///
/// ```
/// length   UInt32 big-endian: the bytes that follow (header, payload and MAC)
/// version  UInt8  = 1
/// kind     UInt8  1 = hello, 2 = message
/// flags    UInt8  bit 0: the frame ends with an HMAC-SHA256
/// payload  a hello (sender id, target id, sender's advertised address) or RaftMessage.encoded()
/// mac      32 bytes, when flagged: HMAC-SHA256 with the shared secret over every byte before it, length included
/// ```
///
/// A connection carries frames one way, from the node that opened it: first a hello, then messages.
enum RaftFrame {
    static let version: UInt8 = 1
    static let headerSize = 3
    static let macSize = 32
    static let authenticatedFlag: UInt8 = 1

    enum Kind: UInt8 {
        case hello = 1
        case message = 2
    }
}

/// The first frame on a connection: who is speaking, whom it means to reach, and where it can be reached itself.
struct RaftHello: Hashable, Sendable {
    var sender: RaftNodeID
    var target: RaftNodeID
    var address: String

    func encoded() -> [UInt8] {
        var w = RaftWireWriter()
        w.varint(sender.rawValue)
        w.varint(target.rawValue)
        w.string(address)
        return w.bytes
    }

    init(sender: RaftNodeID, target: RaftNodeID, address: String) {
        self.sender = sender
        self.target = target
        self.address = address
    }

    init(decoding bytes: [UInt8]) throws(RaftWireError) {
        var r = RaftWireReader(bytes)
        sender = RaftNodeID(try r.varint())
        target = RaftNodeID(try r.varint())
        address = try r.string()
        try r.finish()
    }
}

/// Why a received frame was rejected; the connection that carried it is closed.
struct RaftFrameError: Error, CustomStringConvertible {
    enum Code: String {
        case tooLarge = "too_large"
        case malformed
        case unsupportedVersion = "unsupported_version"
        case unauthenticated
        case authenticationFailed = "authentication_failed"
        case unexpected
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "\(code.rawValue): \(message)" }
}

/// Seals and opens frames, with the shared secret when one is configured.
struct RaftFrameCodec: Sendable {
    /// The shared secret's bytes (a `SymmetricKey` is made per use: it is not `Sendable`).
    let secret: [UInt8]?
    /// The largest value of the length field accepted or written.
    let maxFrameSize: Int

    init(secret: [UInt8]?, maxFrameSize: Int) {
        self.secret = secret
        self.maxFrameSize = maxFrameSize
    }

    var isAuthenticated: Bool { secret != nil }
    private var key: SymmetricKey? { secret.map { SymmetricKey(data: $0) } }

    /// The largest payload a frame carries.
    var maxPayloadSize: Int { maxFrameSize - RaftFrame.headerSize - RaftFrame.macSize }

    /// The frame's bytes, or nil when the payload is too large.
    func seal(_ kind: RaftFrame.Kind, _ payload: [UInt8], allocator: ByteBufferAllocator = ByteBufferAllocator())
        -> ByteBuffer?
    {
        guard payload.count <= maxPayloadSize else { return nil }
        let key = self.key
        let length = RaftFrame.headerSize + payload.count + (key == nil ? 0 : RaftFrame.macSize)
        var buffer = allocator.buffer(capacity: 4 + length)
        buffer.writeInteger(UInt32(length))
        buffer.writeInteger(RaftFrame.version)
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(key == nil ? 0 : RaftFrame.authenticatedFlag)
        buffer.writeBytes(payload)
        if let key {
            let mac = buffer.withUnsafeReadableBytes { HMAC<SHA256>.authenticationCode(for: $0, using: key) }
            buffer.writeBytes(mac)
        }
        return buffer
    }

    /// Checks a whole frame (length prefix included, as ``RaftFrameDecoder`` emits it) and returns its kind and
    /// payload.
    func open(_ frame: ByteBuffer) throws(RaftFrameError) -> (RaftFrame.Kind, [UInt8]) {
        let bytes = Array(frame.readableBytesView)
        guard bytes.count >= 4 + RaftFrame.headerSize else { throw RaftFrameError(.malformed, "frame too short") }
        let version = bytes[4]
        guard version == RaftFrame.version else {
            throw RaftFrameError(.unsupportedVersion, "frame version \(version)")
        }
        let flags = bytes[6]
        guard flags & ~RaftFrame.authenticatedFlag == 0 else { throw RaftFrameError(.malformed, "flags \(flags)") }
        let authenticated = flags & RaftFrame.authenticatedFlag != 0
        var end = bytes.count
        switch (key, authenticated) {
        case (let key?, true):
            guard bytes.count >= 4 + RaftFrame.headerSize + RaftFrame.macSize else {
                throw RaftFrameError(.malformed, "frame too short for its MAC")
            }
            end -= RaftFrame.macSize
            // Constant-time comparison.
            let valid = HMAC<SHA256>.isValidAuthenticationCode(
                Array(bytes[end...]), authenticating: bytes[..<end], using: key)
            guard valid else { throw RaftFrameError(.authenticationFailed, "the frame's HMAC does not match") }
        case (_?, false):
            throw RaftFrameError(.unauthenticated, "a shared secret is configured but the frame carries no HMAC")
        case (nil, true):
            throw RaftFrameError(.unauthenticated, "the frame carries an HMAC but no shared secret is configured here")
        case (nil, false):
            break
        }
        guard let kind = RaftFrame.Kind(rawValue: bytes[5]) else {
            throw RaftFrameError(.malformed, "frame kind \(bytes[5])")
        }
        return (kind, Array(bytes[(4 + RaftFrame.headerSize)..<end]))
    }
}

/// Splits the byte stream into whole frames (length prefix included), refusing any longer than the limit before
/// reading it.
struct RaftFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxFrameSize: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length >= RaftFrame.headerSize else {
            throw RaftFrameError(.malformed, "frame length \(length)")
        }
        guard length <= maxFrameSize else {
            throw RaftFrameError(.tooLarge, "frame length \(length) exceeds the limit of \(maxFrameSize)")
        }
        guard let frame = buffer.readSlice(length: 4 + Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }
}

/// Closes a connection that has been silent for the idle timeout.
final class RaftIdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
