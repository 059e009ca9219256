import ArgumentParser
import BatonCore
import BatonEngine
import BatonMySQL
import Foundation
import Logging
import NIOPosix

/// Measures probe throughput and latency against real servers: each of C workers probes the given instances
/// round-robin over its own persistent connections (or reconnecting every time with `--reconnect`), for a fixed
/// duration. Prints probes per second, latency percentiles, and the CPU time the process spent per probe.
///
/// The password comes from `BATON_BENCH_PASSWORD`, never the command line.
@main
struct ProbeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baton-bench-probe")

    @Option(help: "Host of the servers.") var host = "127.0.0.1"
    @Option(help: "Comma-separated ports of the servers to probe.") var ports: String
    @Option(help: "User to connect as.") var user = "baton"
    @Option(help: "Seconds to run each concurrency level.") var duration = 10
    @Option(help: "Comma-separated numbers of concurrent workers.") var concurrency = "1,4,16,64"
    @Flag(help: "Open a new connection for every probe (measures connect + authenticate + probe).")
    var reconnect = false

    func run() async throws {
        let keys = ports.split(separator: ",").compactMap { Int($0) }.map { InstanceKey(hostname: host, port: $0) }
        let levels = concurrency.split(separator: ",").compactMap { Int($0) }
        guard !keys.isEmpty, !levels.isEmpty else { throw ValidationError("need --ports and --concurrency") }
        var logger = Logger(label: "baton.bench")
        logger.logLevel = .error
        // The same configuration path as `baton serve`: the password arrives through the environment.
        let document = #"{"MySQLTopologyUser": "\#(user)", "MySQLTopologyPassword": "${BATON_BENCH_PASSWORD}", "#
            + #""MySQLDiscoveryReadTimeoutSeconds": 5}"#
        let configured = try BatonConfiguration.parse(
            Data(document.utf8), environment: ProcessInfo.processInfo.environment
        ).topology

        print("servers: \(keys.count), duration per level: \(duration) s, mode: \(reconnect ? "reconnect" : "persistent")")
        print("workers  probes/s  p50 ms  p90 ms  p99 ms  max ms  errors  cpu µs/probe")
        for workers in levels {
            let result = try await measure(workers: workers, keys: keys, access: configured, logger: logger)
            print(result)
        }
    }

    struct LevelResult: CustomStringConvertible {
        var workers: Int
        var probes: Int
        var errors: Int
        var seconds: Double
        var latencies: [Double]
        var cpuSeconds: Double

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }

        var description: String {
            let rate = Double(probes) / seconds
            let cpu = probes > 0 ? cpuSeconds / Double(probes) * 1e6 : 0
            return String(
                format: "%7d  %8.0f  %6.2f  %6.2f  %6.2f  %6.2f  %6d  %12.0f", workers, rate, percentile(0.5) * 1e3,
                percentile(0.9) * 1e3, percentile(0.99) * 1e3, (latencies.max() ?? 0) * 1e3, errors, cpu)
        }
    }

    func measure(
        workers: Int, keys: [InstanceKey], access: BatonConfiguration.TopologyAccess, logger: Logger
    ) async throws -> LevelResult {
        let options = InstanceProber.Options(discoverByShowReplicaHosts: true, defaultPort: 3306)
        let probings = (0..<workers).map { _ in
            MySQLInstanceProbing(
                access: access, options: options, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: logger)
        }
        // Warm up: open every connection once.
        for probing in probings { for key in keys { _ = await probing.probe(key) } }
        let cpuBefore = Self.cpuSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(duration)
        let reconnect = self.reconnect
        let perWorker = await withTaskGroup(of: (Int, Int, [Double]).self) { group in
            for (index, probing) in probings.enumerated() {
                group.addTask {
                    var probes = 0
                    var errors = 0
                    var latencies: [Double] = []
                    var next = index
                    while clock.now < deadline {
                        let key = keys[next % keys.count]
                        next += 1
                        let began = clock.now
                        let outcome = await probing.probe(key)
                        let elapsed = clock.now - began
                        latencies.append(
                            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                        probes += 1
                        if case .success = outcome {} else { errors += 1 }
                        if reconnect { await probing.release(key) }
                    }
                    return (probes, errors, latencies)
                }
            }
            var all: [(Int, Int, [Double])] = []
            for await result in group { all.append(result) }
            return all
        }
        let elapsed = clock.now - start
        let cpu = Self.cpuSeconds() - cpuBefore
        for probing in probings { await probing.shutdown() }
        return LevelResult(
            workers: workers, probes: perWorker.map(\.0).reduce(0, +), errors: perWorker.map(\.1).reduce(0, +),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            latencies: perWorker.flatMap(\.2), cpuSeconds: cpu)
    }

    /// User + system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
