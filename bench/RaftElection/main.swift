import ArgumentParser
import BatonRaft
import BatonTestSupport
import Foundation

/// Failover over TCP, measured rather than asserted: each trial stops the leader of a three-node group (its sockets
/// close, as with kill -9) and measures the time until another node leads (`isLeader`) and until a proposal through
/// it is committed and applied; then the old leader restarts from its storage and rejoins, and leadership is handed
/// back to it gracefully (also measured). Prints a Markdown table for BENCHMARKS.md.
///
///     swift build -c release --product baton-raft-election
///     .build/release/baton-raft-election --trials 30 --tick-ms 100
@main
struct RaftElectionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton-raft-election", abstract: "Measure Raft failover and leadership transfer over TCP.")

    @Option(help: "Leader kills to measure.") var trials = 30
    @Option(name: .customLong("tick-ms"), help: "The Raft tick in milliseconds (election timeout: 10 ticks).")
    var tick = 100

    func run() async throws {
        var options = RaftOptions()
        options.electionTicks = 10
        options.heartbeatTicks = 1
        let cluster = RaftRuntimeCluster(secret: "bench", options: options, tickInterval: .milliseconds(tick))
        var founders: [RaftMember] = []
        for n in 1...3 {
            let member = try await cluster.add(RaftNodeID(UInt64(n)))
            founders.append(RaftMember(id: member.id, address: member.address))
        }
        for n in 1...3 { try await cluster.start(RaftNodeID(UInt64(n)), bootstrap: RaftMembership(founders)) }

        let clock = ContinuousClock()
        var elections: [Duration] = []
        var writes: [Duration] = []
        var transfers: [Duration] = []
        var sequence = 0
        do {
            for _ in 0..<trials {
                let leader = try await cluster.waitForLeader()
                sequence += 1
                _ = try await leader.propose(RecordingApplication.command(sequence))
                // Everyone is caught up and following: kill the leader.
                try await cluster.waitForApplied(cluster.running, through: leader.status.appliedIndex)
                let start = clock.now
                await cluster.stop(leader.id)
                let others = cluster.running
                var newLeader: RaftNode<ContinuousClock>?
                while newLeader == nil {
                    newLeader = others.map(cluster.node).first { $0.isLeader }
                    if newLeader == nil { try await Task.sleep(for: .milliseconds(1)) }
                }
                elections.append(start.duration(to: clock.now))
                while true {
                    sequence += 1
                    do {
                        _ = try await newLeader!.propose(RecordingApplication.command(sequence))
                        break
                    } catch {
                        guard error.code == .refused else { throw error }  // the new leader's first commit is pending
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                writes.append(start.duration(to: clock.now))
                try await cluster.start(leader.id)
                try await cluster.waitForApplied(cluster.running, through: newLeader!.status.appliedIndex)

                // A graceful transfer to the restarted node.
                let transferStart = clock.now
                try await newLeader!.transferLeadership(to: leader.id)
                transfers.append(transferStart.duration(to: clock.now))
            }
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
        func row(_ name: String, _ samples: [Duration]) -> String {
            let ms = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
                .sorted()
            func p(_ q: Double) -> String {
                String(format: "%.0f", ms[min(ms.count - 1, Int((Double(ms.count) * q).rounded(.up)) - 1)])
            }
            return "| \(name) | \(tick) | \(ms.count) | \(p(0.5)) | \(p(0.9)) | \(p(0.99)) | \(String(format: "%.0f", ms.last!)) |"
        }
        print("| measure | tick ms | trials | p50 ms | p90 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(row("leader stopped → new leader", elections))
        print(row("leader stopped → first write applied", writes))
        print(row("graceful transfer", transfers))
    }
}
