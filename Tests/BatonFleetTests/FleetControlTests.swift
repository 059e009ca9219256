import BatonCore
import BatonTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The control protocol of `baton-fleet`: parsing, and the same faults as the Swift API, over TCP.
@Suite struct FleetControlTests {
    @Test(arguments: [
        ("kill c0001-p 127.0.0.1:3306", FleetControlCommand.kill(["c0001-p", "127.0.0.1:3306"])),
        ("delay 250 cluster:c0002", .delay(milliseconds: 250, ["cluster:c0002"])),
        ("partition refuse baton / c0001-p,c0001-r1", .partition(sideA: ["baton"], sideB: ["c0001-p", "c0001-r1"], mode: .refuse)),
        ("partition c0001-p / c0001-r1", .partition(sideA: ["c0001-p"], sideB: ["c0001-r1"], mode: .blackhole)),
        ("heal all", .heal(nil)), ("heal 3", .heal(3)), ("write c0001-p 5", .write("c0001-p", count: 5)),
        ("lag 1.5 c0001-r1", .lag(seconds: 1.5, ["c0001-r1"])), ("journal 10", .journal(after: 10)),
    ])
    func parses(line: String, command: FleetControlCommand) throws {
        #expect(try FleetControlCommand.parse(line) == command)
    }

    @Test(arguments: ["", "explode c0001-p", "kill", "delay soon c0001-p", "partition a,b", "partition / b"])
    func rejectsWithAMessage(line: String) {
        #expect(throws: FleetError.self) { try FleetControlCommand.parse(line) }
    }

    @Test func commandsOverTCPChangeTheFleet() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 2, replicasPerCluster: 1, flavor: .mysql)) { fleet in
            let server = try await FleetControlServer.bind(fleet: fleet, host: "127.0.0.1", port: 0)
            let serving = Task { try await server.run() }
            defer { serving.cancel() }
            let port = try #require(server.localAddress?.port)
            let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let replies = try await client.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "kill c0001-p\nhang c0002-r1\nstatus cluster:c0001\nfrobnicate\n"))
                var text = ""
                for try await var chunk in inbound {
                    text += chunk.readString(length: chunk.readableBytes) ?? ""
                    if text.filter({ $0 == "\n" }).count == 4 { break }
                }
                return try text.split(separator: "\n").map {
                    try JSONDecoder().decode(FleetControlResponse.self, from: Data($0.utf8))
                }
            }
            #expect(replies.map(\.ok) == [true, true, true, false])
            let status = try #require(replies[2].instances)
            #expect(status.map(\.alive) == [false, true])
            #expect(status[1].ioRunning == "Connecting" && status[1].lastIOErrorNumber == 2003)
            #expect(try fleet.status(try #require(fleet.key("c0002-r1"))).faults.hang)
            await server.close()
        }
    }
}
