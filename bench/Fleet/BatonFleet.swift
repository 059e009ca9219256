import ArgumentParser
import BatonCore
import BatonTestSupport
import Dispatch
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `baton-fleet`: thousands of simulated MySQL/MariaDB servers in one process, for benchmarks and demos.
@main
struct BatonFleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton-fleet",
        abstract: "Serve a fleet of simulated MySQL/MariaDB servers (see docs/simulator.md).",
        discussion: """
            Starts every server of the topology (a JSON file, or generated from the flags), prints one line per \
            server with --list, then a line starting with "baton-fleet ready", and serves until SIGTERM or SIGINT. \
            Faults are injected through the control port: one command per line, one JSON line back \
            (echo 'kill c0001-p' | nc 127.0.0.1 7600).
            """)

    @Option(help: "A topology JSON file (FleetTopology); overrides the generator flags.")
    var topology: String?

    @Option(help: "Generated clusters.")
    var clusters = 100

    @Option(help: "Replicas of each generated primary.")
    var replicasPerCluster = 4

    @Option(help: "Replicas of the first replica of each cluster (making it an intermediate primary).")
    var intermediateReplicas = 0

    @Option(help: "mariadb or mysql.")
    var flavor: SimulatedFlavor = .mariadb

    @Option(help: "@@version of generated servers (default: 10.11.9-MariaDB-log or 8.0.39).")
    var serverVersion: String?

    @Option(help: "First address of generated servers; each gets the next one (127.0.0.0/8 is loopback on Linux).")
    var baseAddress = "127.10.0.1"

    @Option(help: "Port of every generated server.")
    var port = 3306

    @Option(help: "Give generated servers consecutive ports from this one on --base-address instead of consecutive addresses.")
    var basePort: Int?

    @Option(help: "The account every server accepts (mysql_native_password).")
    var user = "baton"

    @Option(help: "The account's password.")
    var password = "baton_pw"

    @Option(help: "host:port of the control server; 'none' for none.")
    var control = "127.0.0.1:7600"

    @Option(help: "Write one transaction to every writable primary this often (milliseconds; 0: never).")
    var writeIntervalMs = 0

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Flag(help: "Print one line per server (name, address, cluster, source) before the ready line.")
    var list = false

    @Option(help: "Write the servers as JSON (FleetInstanceStatus) to this file once they listen.")
    var instancesJSON: String?

    @Flag(help: "Print the topology as JSON and exit without serving.")
    var printTopology = false

    func makeTopology() throws -> FleetTopology {
        if let path = topology {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(FleetTopology.self, from: data)
        }
        let addressing: FleetAddressing =
            basePort.map { .consecutivePorts(host: baseAddress, basePort: $0) }
            ?? .consecutiveAddresses(base: baseAddress, port: port)
        return try FleetTopology.generated(
            clusters: clusters, replicasPerCluster: replicasPerCluster, intermediateReplicas: intermediateReplicas,
            flavor: flavor, version: serverVersion, addressing: addressing)
    }

    func run() async throws {
        let topology = try makeTopology()
        if printTopology {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Self.emit(String(decoding: try encoder.encode(topology), as: UTF8.self))
            return
        }
        let limit = SimulatedFleet.raiseFileDescriptorLimit()
        let servers = topology.allInstances.count
        if limit > 0, limit < servers * 2 + 64 {
            FileHandle.standardError.write(
                Data("baton-fleet: warning: the open-file limit \(limit) is low for \(servers) servers and their connections\n".utf8))
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads ?? System.coreCount)
        let started = ContinuousClock.now
        let fleet = try await SimulatedFleet.start(
            topology, configuration: .init(user: user, password: password), eventLoopGroup: group)
        let startup = started.duration(to: .now)

        var controlServer: FleetControlServer?
        if control.lowercased() != "none" {
            guard let key = InstanceKey(parsing: control, defaultPort: 7600) else {
                throw ValidationError("--control must be host:port or none")
            }
            controlServer = try await FleetControlServer.bind(fleet: fleet, host: key.hostname, port: key.port, eventLoopGroup: group)
        }
        let statuses = fleet.instances
        if list {
            for status in statuses {
                let source = status.source.map { "source=\($0)" } ?? "primary"
                Self.emit("\(status.name)\t\(status.key)\tcluster=\(status.cluster)\t\(source)")
            }
        }
        if let path = instancesJSON {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(statuses).write(to: URL(fileURLWithPath: path))
        }
        let version = statuses.first.map { "\($0.flavor.rawValue) \($0.version)" } ?? "-"
        let controlText = controlServer?.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "none"
        let seconds = Double(startup.components.seconds) + Double(startup.components.attoseconds) / 1e18
        Self.emit(
            "baton-fleet ready: \(statuses.count) instances in \(topology.clusters.count) clusters (\(version)), "
                + "control \(controlText), started in \(String(format: "%.2f", seconds)) s")

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await Self.waitForTermination() }
            if let controlServer {
                tasks.addTask { try await controlServer.run() }
            }
            if writeIntervalMs > 0 {
                let interval = Duration.milliseconds(writeIntervalMs)
                tasks.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        fleet.writeToPrimaries()
                    }
                }
            }
            // The first task to end is the signal (or a failed control server): stop everything.
            _ = try await tasks.next()
            tasks.cancelAll()
            await controlServer?.close()
        }
        await fleet.shutdown()
        try await group.shutdownGracefully()
        Self.emit("baton-fleet stopped")
    }

    /// Writes one line to standard output at once (scripts wait for the ready line).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Returns on SIGTERM or SIGINT.
    static func waitForTermination() async {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }
}

extension SimulatedFlavor: ExpressibleByArgument {}
