import BatonRaft
import BatonTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The deterministic simulation of whole clusters with faults (see docs/raft.md). CI runs 1,000 seeds of three
/// nodes and 200 of five; `BATON_RAFT_SIM_SEEDS=100000` runs that many three-node seeds instead (and
/// `BATON_RAFT_SIM_FIRST_SEED` moves the window). A failing seed replays with
/// `swift run baton-raft-sim --seed N --verbose`.
@Suite struct RaftSimulationTests {
    static let batches = 20

    static func environment(_ name: String) -> UInt64? {
        guard let value = getenv(name) else { return nil }
        return UInt64(String(cString: value))
    }

    static var seedCount: UInt64 { environment("BATON_RAFT_SIM_SEEDS") ?? 1000 }
    static var firstSeed: UInt64 { environment("BATON_RAFT_SIM_FIRST_SEED") ?? 0 }

    static func seeds(batch: Int, of count: UInt64) -> Range<UInt64> {
        let size = (count + UInt64(batches) - 1) / UInt64(batches)
        let low = firstSeed + min(UInt64(batch) * size, count)
        return low..<(firstSeed + min(UInt64(batch + 1) * size, count))
    }

    static func runAll(_ seeds: Range<UInt64>, nodes: Int) -> [String] {
        var failures: [String] = []
        for seed in seeds {
            let result = RaftSimulation.run(RaftSimulationOptions(seed: seed, nodes: nodes))
            if let violation = result.violation {
                failures.append(
                    "seed \(seed) (\(nodes) nodes): \(violation)\n  replay: swift run baton-raft-sim --seed \(seed) "
                        + "--nodes \(nodes) --verbose\n" + result.traceTail.suffix(20).joined(separator: "\n"))
            }
        }
        return failures
    }

    @Test(arguments: 0..<batches)
    func threeNodeSeeds(_ batch: Int) {
        let failures = Self.runAll(Self.seeds(batch: batch, of: Self.seedCount), nodes: 3)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test(arguments: 0..<batches)
    func fiveNodeSeeds(_ batch: Int) {
        let failures = Self.runAll(Self.seeds(batch: batch, of: max(Self.seedCount / 5, 1)), nodes: 5)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func sameSeedSameRun() {
        let a = RaftSimulation.run(RaftSimulationOptions(seed: 42, nodes: 5))
        let b = RaftSimulation.run(RaftSimulationOptions(seed: 42, nodes: 5))
        let c = RaftSimulation.run(RaftSimulationOptions(seed: 43, nodes: 5))
        #expect(a.digest == b.digest)
        #expect(a.stats == b.stats)
        #expect(a.traceTail == b.traceTail)
        #expect(a.digest != c.digest)
    }

    @Test func runsExerciseTheFaultsTheyClaim() {
        var total = RaftSimulationStats()
        for seed in UInt64(0)..<40 {
            let stats = RaftSimulation.run(RaftSimulationOptions(seed: seed)).stats
            total.crashes += stats.crashes
            total.partitions += stats.partitions
            total.pauses += stats.pauses
            total.slowDisks += stats.slowDisks
            total.transfers += stats.transfers
            total.membershipChanges += stats.membershipChanges
            total.snapshotsInstalled += stats.snapshotsInstalled
            total.messagesDuplicated += stats.messagesDuplicated
            total.messagesDropped += stats.messagesDropped
            total.acknowledged += stats.acknowledged
        }
        #expect(total.crashes > 40 && total.partitions > 40 && total.pauses > 10 && total.slowDisks > 10)
        #expect(total.transfers > 5 && total.membershipChanges > 20 && total.snapshotsInstalled > 5)
        #expect(total.messagesDuplicated > 50 && total.messagesDropped > 500 && total.acknowledged > 500)
    }

    /// The checks must be able to fail: each deliberate bug is caught within its seed budget.
    @Test(arguments: [
        (RaftSimulationMutation.commitPreviousTermEntries, UInt64(600)),
        (.skipVoteLogCheck, 50),
        (.skipPreviousEntryCheck, 50),
        (.sendBeforePersist, 50),
    ])
    func deliberateBugIsCaught(_ mutation: RaftSimulationMutation, within budget: UInt64) {
        var caughtAt: UInt64?
        for seed in UInt64(0)..<budget {
            let result = RaftSimulation.run(RaftSimulationOptions(seed: seed, mutation: mutation))
            if !result.passed {
                caughtAt = seed
                break
            }
        }
        #expect(caughtAt != nil, "\(mutation) survived \(budget) seeds")
    }
}
