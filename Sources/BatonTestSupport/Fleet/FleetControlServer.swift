import Foundation
import NIOCore
import NIOPosix

/// Serves the control protocol of a fleet over TCP: one command per line, one line of JSON back
/// (``FleetControlCommand``, ``FleetControlResponse``). `echo 'kill c0001-p' | nc 127.0.0.1 7600` works.
public struct FleetControlServer: Sendable {
    let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    let fleet: SimulatedFleet

    /// The address the server listens on (with the port picked when 0 was asked for).
    public var localAddress: SocketAddress? { channel.channel.localAddress }

    /// Binds `host:port`; ``run()`` then serves connections.
    public static func bind(
        fleet: SimulatedFleet, host: String, port: Int, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> FleetControlServer {
        let channel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        return FleetControlServer(channel: channel, fleet: fleet)
    }

    /// Serves connections until the task is cancelled or the listener closes.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await channel.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await serve(connection) }
                }
            }
        }
    }

    /// Closes the listener; ``run()`` returns once open connections end.
    public func close() async {
        try? await channel.channel.close()
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { lines, writer in
            for try await var line in lines {
                let text = line.readString(length: line.readableBytes) ?? ""
                guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                let response = await fleet.perform(text)
                try await writer.write(ByteBuffer(string: response.jsonLine + "\n"))
            }
        }
    }
}

/// Splits a byte stream into lines (without `\n` or `\r\n`); a line longer than 64 KiB closes the connection.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct LineTooLong: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 65_536 { throw LineTooLong() }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
        }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
