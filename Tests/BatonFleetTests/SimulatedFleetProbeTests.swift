import BatonCore
import BatonMySQL
import BatonTestSupport
import Testing

/// Baton's prober against simulated servers of both flavours: the facts it parses are the simulated state.
@Suite struct SimulatedFleetProbeTests {
    static func chain(_ flavor: SimulatedFlavor, version: String? = nil) throws -> FleetTopology {
        try .generated(clusters: 1, replicasPerCluster: 2, intermediateReplicas: 1, flavor: flavor, version: version)
    }

    @Test(arguments: [
        (SimulatedFlavor.mariadb, "10.11.9-MariaDB-log"), (.mariadb, "11.4.3-MariaDB-log"), (.mysql, "8.0.39"),
        (.mysql, "8.4.2"),
    ])
    func factsOfAPrimaryAnIntermediatePrimaryAndALeaf(flavor: SimulatedFlavor, version: String) async throws {
        try await SimulatedFleet.with(try Self.chain(flavor, version: version)) { fleet in
            let primaryKey = try #require(fleet.key("c0001-p"))
            let intermediateKey = try #require(fleet.key("c0001-r1"))
            let leafKey = try #require(fleet.key("c0001-r1-1"))
            let options = InstanceProber.Options(discoverByShowReplicaHosts: true)

            let outcome = await FleetClient.probe(primaryKey, options: options)
            #expect(outcome.error == nil, "\(String(describing: outcome.error))")
            let primary = try #require(outcome.facts)
            #expect(primary.version?.raw == version)
            #expect(primary.version?.isMariaDB == (flavor == .mariadb))
            #expect(!primary.readOnly)
            #expect(primary.logBinEnabled && primary.logReplicaUpdatesEnabled)
            #expect(primary.binlogFormat == "ROW")
            #expect(primary.replication == nil)
            #expect(primary.binlogPosition > 0 && !primary.binlogFile.isEmpty)
            #expect(primary.gtidMode == "ON")
            #expect(!primary.executedGTIDSet.isEmpty)
            #expect(Set(primary.replicaKeys) == [intermediateKey, try #require(fleet.key("c0001-r2"))])
            #expect(primary.serverUUID.isEmpty == (flavor == .mariadb))

            let leafOutcome = await FleetClient.probe(leafKey, options: options)
            #expect(leafOutcome.error == nil, "\(String(describing: leafOutcome.error))")
            let leaf = try #require(leafOutcome.facts)
            let replication = try #require(leaf.replication)
            #expect(leaf.readOnly)
            #expect(replication.sourceKey == intermediateKey)
            #expect(replication.isReplicating)
            #expect(replication.usesGTIDPositioning)
            #expect(replication.secondsBehindSource == 0)
            #expect(replication.lastIOErrorNumber == 0)
            #expect(leaf.executedGTIDSet == primary.executedGTIDSet)
            #expect(replication.readSourceLogPosition == replication.execSourceLogPosition)

            let intermediate = try #require(await FleetClient.probe(intermediateKey, options: options).facts)
            #expect(intermediate.replicaKeys == [leafKey])
            #expect(intermediate.replication?.sourceKey == primaryKey)
        }
    }

    @Test func replicasFoundInTheProcesslistWhenNotAskingShowSlaveHosts() async throws {
        let topology = try FleetTopology.generated(
            clusters: 1, replicasPerCluster: 2, flavor: .mariadb,
            addressing: .consecutiveAddresses(base: "127.77.\(Int.random(in: 1...250)).1", port: Int.random(in: 20_000...30_000)))
        try await SimulatedFleet.with(topology) { fleet in
            let primary = try #require(fleet.key("c0001-p"))
            let facts = try #require(
                await FleetClient.probe(primary, options: .init(discoverByShowReplicaHosts: false, defaultPort: primary.port)).facts)
            #expect(facts.replicaKeys == fleet.keys(inCluster: "c0001").filter { $0 != primary })
        }
    }

    @Test func mysql84RefusesTheRemovedStatementsAsARealOneDoes() async throws {
        try await SimulatedFleet.with(try Self.chain(.mysql, version: "8.4.2")) { fleet in
            let connection = try await FleetClient.connect(try #require(fleet.key("c0001-r1")))
            for statement in ["SHOW SLAVE STATUS", "SHOW MASTER STATUS", "SHOW SLAVE HOSTS", "STOP SLAVE", "RESET SLAVE ALL",
                "CHANGE MASTER TO MASTER_HOST='x', MASTER_PORT=3306"] {
                let error = try await #require(throws: MySQLError.self, "\(statement)") { try await connection.query(statement) }
                #expect(error.serverErrorNumber == 1064, "\(statement)")
            }
            #expect(try await connection.query("SHOW REPLICA STATUS").rows.count == 1)
            #expect(try await connection.query("SHOW BINARY LOG STATUS").rows.count == 1)
            let variables = try await connection.query("SHOW GLOBAL VARIABLES LIKE 'log_%updates'")
            #expect(variables.rows.map { $0["Variable_name"] } == ["log_replica_updates"])
            await connection.close()
        }
    }

    @Test func mariaDBHasNoMySQLOnlySpellings() async throws {
        try await SimulatedFleet.with(try Self.chain(.mariadb)) { fleet in
            let connection = try await FleetClient.connect(try #require(fleet.key("c0001-r1")))
            for statement in ["SHOW BINARY LOG STATUS", "SHOW REPLICAS", "CHANGE REPLICATION SOURCE TO SOURCE_HOST='x'",
                "SELECT WAIT_FOR_EXECUTED_GTID_SET('x', 1)", "SET GLOBAL super_read_only = 1"] {
                let error = try await #require(throws: MySQLError.self, "\(statement)") { try await connection.query(statement) }
                #expect(error.code == .serverError, "\(statement)")
            }
            #expect(try await connection.query("SHOW REPLICA STATUS").rows.count == 1)
            #expect(try await connection.query("SHOW REPLICA HOSTS").rows.count == 1)
            await connection.close()
        }
    }
}
