import Foundation
import NIOCore
import NIOPosix

/// Sends bytes nobody should trust to a port and reads what comes back, for system tests of hostile input: an
/// HTTP client would refuse to send most of them (raw bytes in a path, bodies on GET, unknown methods).
enum RawTCPClient {
    /// What the peer answered before it closed the connection (or before `timeout`).
    struct Exchange: Sendable {
        var received: [UInt8]
        /// The peer closed (or reset) the connection; false when `timeout` passed first.
        var closed: Bool
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes` while reading, and reads until the peer closes or `timeout`
    /// passes. A write the peer cuts short (it answered and closed early) is not an error. Throws only when the
    /// connection cannot be made.
    static func exchange(_ bytes: [UInt8], port: Int, timeout: Duration = .seconds(30)) async throws -> Exchange {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Exchange?.self) { group in
                group.addTask {
                    try? await outbound.write(ByteBuffer(bytes: bytes))
                    return nil
                }
                group.addTask {
                    var received: [UInt8] = []
                    do {
                        for try await chunk in inbound {
                            received += chunk.readableBytesView
                            if received.count > 64 << 20 { break }
                        }
                    } catch {}  // a reset is a close too
                    return Exchange(received: received, closed: true)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return Exchange(received: [], closed: false)
                }
                while let next = try await group.next() {
                    if let exchange = next {
                        group.cancelAll()
                        return exchange
                    }
                }
                return Exchange(received: [], closed: false)
            }
        }
    }
}

/// An HTTP/1.1 response as read off the wire: enough to check a status and a JSON body.
struct RawHTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    /// Parses a response that ends where the connection closed (`Connection: close`); nil when there is no complete
    /// status line and header block.
    init?(_ bytes: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            return nil
        }
        self.status = status
        headers = head.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        var rest = Array(bytes[(end + 4)...])
        if headers.contains(where: { $0.0 == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            var decoded: [UInt8] = []
            while let lineEnd = rest.indices.dropLast().first(where: { rest[$0] == 13 && rest[$0 + 1] == 10 }),
                let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self), radix: 16), size > 0,
                rest.count >= lineEnd + 2 + size
            {
                decoded += rest[(lineEnd + 2)..<(lineEnd + 2 + size)]
                rest = Array(rest[min(rest.count, lineEnd + 4 + size)...])
            }
            body = decoded
        } else if let length = headers.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }) {
            body = Array(rest.prefix(length))
        } else {
            body = rest
        }
    }

    /// The body as orchestrator's error envelope: its message when `Code` is `ERROR` and the message is not empty.
    var errorMessage: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            object["Code"] as? String == "ERROR", let message = object["Message"] as? String, !message.isEmpty
        else { return nil }
        return message
    }

    var isJSON: Bool { (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) != nil }
}
