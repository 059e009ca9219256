import ArgumentParser
import BatonRaft
import BatonTestSupport
import Foundation

/// Runs the deterministic Raft simulation for one seed or a range of seeds, prints each failing seed's digest,
/// violation and trace tail, and a summary with the seeds per second. The same seed always gives the same digest.
///
///     swift run -c release baton-raft-sim --seeds 0..10000 --nodes 5
///     swift run baton-raft-sim --seed 1234 --verbose
@main
struct RaftSimulationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton-raft-sim",
        abstract: "Deterministic simulation of a Baton Raft cluster with faults; replays a seed exactly.")

    @Option(help: "Run this one seed.") var seed: UInt64?
    @Option(help: "Run a range of seeds, A..B (B excluded).") var seeds: String?
    @Option(help: "Founding voters (3 or 5).") var nodes = 3
    @Option(help: "Events simulated with faults before they heal.") var steps = 1500
    @Option(help: "A deliberate bug the checks must catch: \(RaftSimulationMutation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var mutation: String?
    @Flag(help: "Print every event of each seed run.") var verbose = false
    @Flag(help: "Print a line for every seed, not only failures.") var all = false

    func run() throws {
        let range = try seedRange()
        var chosenMutation: RaftSimulationMutation?
        if let mutation {
            guard let parsed = RaftSimulationMutation(rawValue: mutation) else {
                throw ValidationError("unknown mutation \(mutation)")
            }
            chosenMutation = parsed
        }
        let started = ContinuousClock.now
        var failures = 0
        var events = 0
        var worstHeal = 0.0
        for seed in range {
            let result = RaftSimulation.run(
                RaftSimulationOptions(seed: seed, nodes: nodes, steps: steps, mutation: chosenMutation, verbose: verbose))
            events += result.stats.events
            worstHeal = max(worstHeal, result.stats.electionTimeoutsToLeader)
            if verbose { result.trace.forEach { print($0) } }
            if !result.passed {
                failures += 1
                print("seed \(seed) digest \(hex(result.digest)) FAILED: \(result.violation!)")
                print("  \(result.stats)")
                print("  trace tail:")
                result.traceTail.forEach { print("    \($0)") }
                print("  replay: swift run baton-raft-sim --seed \(seed) --nodes \(nodes) --steps \(steps)"
                    + (mutation.map { " --mutation \($0)" } ?? "") + " --verbose")
            } else if all || range.count == 1 {
                print("seed \(seed) digest \(hex(result.digest)) ok: \(result.stats)")
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "\(range.count) seeds, \(failures) failed, \(events) events, "
                + String(format: "%.1f s, %.0f seeds/s, %.0f events/s, ", seconds, Double(range.count) / seconds, Double(events) / seconds)
                + String(format: "worst heal→leader %.1f election timeouts", worstHeal))
        if failures > 0 { throw ExitCode(1) }
    }

    func seedRange() throws -> Range<UInt64> {
        if let seed { return seed..<(seed + 1) }
        guard let seeds else { return 0..<100 }
        let parts = seeds.split(separator: ".", omittingEmptySubsequences: true)
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low < high else {
            throw ValidationError("--seeds takes A..B with A < B")
        }
        return low..<high
    }

    func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}
