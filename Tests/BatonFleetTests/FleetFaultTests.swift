import BatonCore
import BatonMySQL
import BatonTestSupport
import Testing

/// Faults real servers cannot produce on demand: each gives Baton's client a clean error, never a crash, and a
/// faulty server never holds up the others.
@Suite struct FleetFaultTests {
    @Test func hungServersDoNotStallProbesOfTheOthers() async throws {
        let topology = try FleetTopology.generated(clusters: 20, replicasPerCluster: 2, flavor: .mariadb)
        try await SimulatedFleet.with(topology) { fleet in
            let keys = fleet.instances.map(\.key)
            let hung = Set(keys.enumerated().filter { $0.offset % 5 == 0 }.map(\.element))
            for key in hung { try fleet.hang(key) }
            let outcomes = await withTaskGroup(of: (InstanceKey, ProbeOutcome).self) { group in
                for key in keys {
                    // Short deadlines where the server hangs, generous ones elsewhere (the machine may be busy).
                    let timeout: Duration = hung.contains(key) ? .milliseconds(300) : .seconds(10)
                    group.addTask { (key, await FleetClient.probe(key, timeout: timeout)) }
                }
                var outcomes: [InstanceKey: ProbeOutcome] = [:]
                for await (key, outcome) in group { outcomes[key] = outcome }
                return outcomes
            }
            for (key, outcome) in outcomes {
                if hung.contains(key) {
                    #expect((outcome.error as? MySQLError)?.code == .connectTimeout, "\(key): \(String(describing: outcome.error))")
                } else {
                    #expect(outcome.error == nil, "\(key): \(String(describing: outcome.error))")
                }
            }
        }
    }

    @Test func aServerThatHangsMidConnectionTimesTheQueryOut() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 1, replicasPerCluster: 0, flavor: .mysql)) { fleet in
            let key = try #require(fleet.key("c0001-p"))
            let connection = try await FleetClient.connect(key)
            try fleet.hang(key)
            let error = try await #require(throws: MySQLError.self) {
                try await connection.query("SELECT 1", timeout: .milliseconds(300))
            }
            #expect(error.code == .queryTimeout)
            try fleet.clearFaults(key)
            let again = try await FleetClient.connect(key)
            #expect(try await again.query("SELECT 1").rows.count == 1)
            await again.close()
        }
    }

    @Test func garbageIsACleanErrorAtConnectAndMidConnection() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 1, replicasPerCluster: 0, flavor: .mariadb)) { fleet in
            let key = try #require(fleet.key("c0001-p"))
            let open = try await FleetClient.connect(key)
            try fleet.sendGarbage(key)
            for _ in 0..<8 {
                let outcome = await FleetClient.probe(key, timeout: .milliseconds(300))
                #expect(outcome.facts == nil && outcome.error != nil)
            }
            await #expect(throws: MySQLError.self) { try await open.query("SHOW SLAVE STATUS", timeout: .milliseconds(300)) }
            await open.close()
            try fleet.clearFaults(key)
            #expect(await FleetClient.probe(key).error == nil)
        }
    }

    @Test func aPartialResultSetIsAConnectionClosedError() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 1, replicasPerCluster: 0, flavor: .mariadb)) { fleet in
            let key = try #require(fleet.key("c0001-p"))
            try fleet.sendPartialAnswers(key)
            let outcome = await FleetClient.probe(key)
            let error = try #require(outcome.error as? MySQLError)
            #expect(error.code == .connectionClosed)
            #expect(outcome.facts == nil, "the first statement was cut short, so nothing is known")
        }
    }

    @Test func slowAnswersArriveLateOrMissTheDeadline() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 1, replicasPerCluster: 0, flavor: .mariadb)) { fleet in
            let key = try #require(fleet.key("c0001-p"))
            try fleet.delayAnswers(key, by: .milliseconds(100))
            #expect(await FleetClient.probe(key).error == nil)
            let error = try #require(await FleetClient.probe(key, timeout: .milliseconds(50)).error as? MySQLError)
            #expect(error.code == .connectTimeout)
        }
    }

    @Test(arguments: [FleetPartition.Mode.blackhole, .refuse])
    func cuttingBatonOffLeavesReplicationAlone(mode: FleetPartition.Mode) async throws {
        try await SimulatedFleet.with(try .generated(clusters: 2, replicasPerCluster: 1, flavor: .mariadb)) { fleet in
            let cutOff = fleet.keys(inCluster: "c0001")
            let partition = fleet.partition([.baton], from: cutOff.map { .instance($0) }, mode: mode)
            for key in cutOff {
                let timeout: Duration = mode == .blackhole ? .milliseconds(300) : .seconds(10)
                let error = try #require(await FleetClient.probe(key, timeout: timeout).error as? MySQLError)
                #expect(mode == .blackhole ? error.code == .connectTimeout : error.code != .connectTimeout, "\(error)")
            }
            for key in fleet.keys(inCluster: "c0002") {
                #expect(await FleetClient.probe(key).error == nil)
            }
            #expect(try fleet.status(cutOff[1]).ioRunning == "Yes")
            fleet.heal(partition)
            #expect(await FleetClient.probe(cutOff[1]).facts?.replication?.isReplicating == true)
        }
    }

    @Test func aReplicaCutFromItsSourceReportsTheLostLinkAndCatchesUpAfterTheHeal() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 1, replicasPerCluster: 2, flavor: .mysql)) { fleet in
            let keys = fleet.keys(inCluster: "c0001")
            fleet.partition([.instance(keys[0])], from: [.instance(keys[1])])
            try fleet.write(to: keys[0], transactions: 5)
            let cut = try #require(await FleetClient.probe(keys[1]).facts?.replication)
            #expect(cut.ioThread == .other)
            #expect(cut.lastIOErrorNumber == 2003)
            #expect(cut.lastIOError.contains("(110)"))
            #expect(cut.secondsBehindSource == nil)
            #expect(try fleet.status(keys[2]).executedGTIDSet == (try fleet.status(keys[0])).executedGTIDSet)
            fleet.healAll()
            #expect(try fleet.status(keys[1]).executedGTIDSet == (try fleet.status(keys[0])).executedGTIDSet)
            #expect(await FleetClient.probe(keys[1]).facts?.replication?.isReplicating == true)
        }
    }

    @Test func aWholeDataCentreDiesAtOnce() async throws {
        try await SimulatedFleet.with(try .generated(clusters: 10, replicasPerCluster: 2, flavor: .mariadb)) { fleet in
            // "Data centre 1": every primary and every first replica.
            let dead = fleet.clusterNames.flatMap { fleet.keys(inCluster: $0).prefix(2) }
            try await fleet.kill(dead)
            #expect(fleet.journal.filter { $0.kind == .killed }.count == 20)
            for cluster in fleet.clusterNames {
                let survivor = fleet.keys(inCluster: cluster)[2]
                let replication = try #require(await FleetClient.probe(survivor).facts?.replication)
                #expect(replication.ioThread == .other && replication.lastIOErrorNumber == 2003)
                #expect(replication.sqlThread == .running)
            }
        }
    }
}
