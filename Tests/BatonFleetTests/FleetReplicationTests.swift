import BatonCore
import BatonMySQL
import BatonTestSupport
import Foundation
import Testing

/// Replication between simulated servers behaves as a real server's does, seen through SQL.
@Suite struct FleetReplicationTests {
    static func cluster(_ flavor: SimulatedFlavor, version: String? = nil, replicas: Int = 2) throws -> FleetTopology {
        try .generated(clusters: 1, replicasPerCluster: replicas, flavor: flavor, version: version)
    }

    func variable(_ connection: MySQLConnection, _ name: String) async throws -> String {
        try await connection.query("SELECT @@\(name)").rows.first?[0] ?? ""
    }

    func replicaStatus(_ connection: MySQLConnection) async throws -> MySQLRow? {
        try await connection.query("SHOW REPLICA STATUS").rows.first
    }

    @Test(arguments: [SimulatedFlavor.mariadb, .mysql])
    func writesAdvanceGTIDsAndReplicasFollow(flavor: SimulatedFlavor) async throws {
        try await SimulatedFleet.with(try Self.cluster(flavor)) { fleet in
            let gtidVariable = flavor == .mariadb ? "gtid_current_pos" : "gtid_executed"
            let primary = try await FleetClient.connect(try #require(fleet.key("c0001-p")))
            let replica = try await FleetClient.connect(try #require(fleet.key("c0001-r2")))
            let before = try await variable(primary, gtidVariable)
            #expect(before == (flavor == .mariadb ? "0-1-10" : "3e11fa47-71ca-11e1-9e33-000000000001:1-10"))

            let insert = try await primary.query("INSERT INTO shop.orders VALUES (1)")
            #expect(insert.affectedRows == 1)
            try fleet.write(to: try #require(fleet.key("c0001-p")), transactions: 4)
            let after = try await variable(primary, gtidVariable)
            #expect(after == (flavor == .mariadb ? "0-1-15" : "3e11fa47-71ca-11e1-9e33-000000000001:1-15"))
            #expect(try await variable(replica, gtidVariable) == after)

            let refused = try await #require(throws: MySQLError.self) { try await replica.query("INSERT INTO t VALUES (1)") }
            #expect(refused.serverErrorNumber == 1290)
            await primary.close()
            await replica.close()
        }
    }

    @Test(arguments: [SimulatedFlavor.mariadb, .mysql])
    func aKilledSourceLeavesItsReplicasConnectingWithError2003UntilItRestarts(flavor: SimulatedFlavor) async throws {
        try await SimulatedFleet.with(try Self.cluster(flavor)) { fleet in
            let primaryKey = try #require(fleet.key("c0001-p"))
            let open = try await FleetClient.connect(primaryKey)
            let replica = try await FleetClient.connect(try #require(fleet.key("c0001-r1")))
            try await fleet.kill(primaryKey)

            #expect(await open.closed() != nil, "an open connection to a killed server is reset")
            await #expect(throws: MySQLError.self) { try await FleetClient.connect(primaryKey, timeout: .seconds(1)) }
            let status = try #require(try await replicaStatus(replica))
            #expect(status["Replica_IO_Running"] ?? status["Slave_IO_Running"] == "Connecting")
            #expect(status["Replica_SQL_Running"] ?? status["Slave_SQL_Running"] == "Yes")
            #expect(status["Last_IO_Errno"] == "2003")
            #expect((status["Last_IO_Error"] ?? "").contains("\(primaryKey.port)"))
            #expect(status.isNull("Seconds_Behind_Master") || status.isNull("Seconds_Behind_Source"))

            try await fleet.restart(primaryKey)
            try fleet.write(to: primaryKey)
            let resumed = try #require(try await replicaStatus(replica))
            #expect(resumed["Replica_IO_Running"] ?? resumed["Slave_IO_Running"] == "Yes")
            #expect(resumed["Last_IO_Errno"] == "0")
            let restarted = try await FleetClient.connect(primaryKey)
            #expect(try await variable(replica, "server_id") == "2")
            #expect(try fleet.status(try #require(fleet.key("c0001-r1"))).executedGTIDSet
                == (try fleet.status(primaryKey)).executedGTIDSet)
            await restarted.close()
            await replica.close()
        }
    }

    @Test func changeMasterByGTIDRepointsAReplica() async throws {
        try await SimulatedFleet.with(try Self.cluster(.mariadb, replicas: 3)) { fleet in
            let newSourceKey = try #require(fleet.key("c0001-r1"))
            let movedKey = try #require(fleet.key("c0001-r2"))
            let moved = try await FleetClient.connect(movedKey)
            let running = try await #require(throws: MySQLError.self) {
                try await moved.query("CHANGE MASTER TO MASTER_HOST='\(newSourceKey.hostname)', MASTER_PORT=\(newSourceKey.port)")
            }
            #expect(running.serverErrorNumber == 1198)
            _ = try await moved.query("STOP SLAVE")
            _ = try await moved.query(
                "CHANGE MASTER TO MASTER_HOST='\(newSourceKey.hostname)', MASTER_PORT=\(newSourceKey.port), MASTER_USE_GTID=slave_pos")
            _ = try await moved.query("START SLAVE")
            let status = try #require(try await moved.query("SHOW SLAVE STATUS").rows.first)
            #expect(status["Master_Port"] == String(newSourceKey.port))
            #expect(status["Slave_IO_Running"] == "Yes")
            #expect(status["Using_Gtid"] == "Slave_Pos")

            let newSource = try await FleetClient.connect(newSourceKey)
            let hosts = try await newSource.query("SHOW SLAVE HOSTS").rows.map { $0["Port"] ?? "" }
            #expect(hosts == [String(movedKey.port)])
            try fleet.write(to: try #require(fleet.key("c0001-p")), transactions: 3)
            #expect(try fleet.status(movedKey).executedGTIDSet == "0-1-13")
            #expect(fleet.journal.filter { $0.kind == .sourceChanged }.map(\.instance) == [movedKey])
            await moved.close()
            await newSource.close()
        }
    }

    @Test(arguments: [SimulatedFlavor.mariadb, .mysql])
    func resetReplicationAndReadOnlyOffPromote(flavor: SimulatedFlavor) async throws {
        try await SimulatedFleet.with(try Self.cluster(flavor)) { fleet in
            let candidateKey = try #require(fleet.key("c0001-r1"))
            let candidate = try await FleetClient.connect(candidateKey)
            let statements = ReplicationStatements(version: try #require(ServerVersion(parsing: candidate.serverVersion)))
            let busy = try await #require(throws: MySQLError.self) { try await candidate.query(statements.resetReplicationAll) }
            #expect(busy.code == .serverError)
            for statement in [statements.stopReplication, statements.resetReplicationAll, ReplicationStatements.setReadOnly(false)] {
                _ = try await candidate.query(statement)
            }
            #expect(try await replicaStatus(candidate) == nil)
            #expect(try await variable(candidate, "read_only") == "0")
            _ = try await candidate.query("INSERT INTO t VALUES (2)")
            let status = try fleet.status(candidateKey)
            #expect(status.source == nil && !status.readOnly)
            #expect(fleet.journal.filter { $0.kind == .replicationReset }.map(\.instance) == [candidateKey])
            await candidate.close()
        }
    }

    @Test func lagHoldsTransactionsBackAndGTIDWaitsBlockUntilTheyArrive() async throws {
        try await SimulatedFleet.with(try Self.cluster(.mariadb, replicas: 1)) { fleet in
            let primaryKey = try #require(fleet.key("c0001-p"))
            let replicaKey = try #require(fleet.key("c0001-r1"))
            try fleet.setLag(replicaKey, seconds: 600)
            try fleet.write(to: primaryKey, transactions: 2)
            let replica = try await FleetClient.connect(replicaKey)
            let lagging = try #require(try await replica.query("SHOW SLAVE STATUS").rows.first)
            #expect(lagging["Gtid_IO_Pos"] == "0-1-12")
            #expect(lagging["Read_Master_Log_Pos"] != lagging["Exec_Master_Log_Pos"])
            #expect(lagging["Seconds_Behind_Master"] != nil)
            #expect(try await variable(replica, "gtid_current_pos") == "0-1-10")
            #expect(try await replica.query("SELECT MASTER_GTID_WAIT('0-1-12', 0.05)").rows.first?[0] == "-1")

            let waiter = try await FleetClient.connect(replicaKey)
            async let waited = waiter.query("SELECT MASTER_GTID_WAIT('0-1-12', 60)", timeout: .seconds(60))
            try await Task.sleep(for: .milliseconds(100))
            try fleet.setLag(replicaKey, seconds: 0)
            #expect(try await waited.rows.first?[0] == "0")
            let caughtUp = try #require(try await replica.query("SHOW SLAVE STATUS").rows.first)
            #expect(caughtUp["Read_Master_Log_Pos"] == caughtUp["Exec_Master_Log_Pos"])
            #expect(caughtUp["Seconds_Behind_Master"] == "0")
            await replica.close()
            await waiter.close()
        }
    }

    @Test func stoppingAndStartingThreadsAsARealReplicaDoes() async throws {
        try await SimulatedFleet.with(try Self.cluster(.mariadb, replicas: 1)) { fleet in
            let primaryKey = try #require(fleet.key("c0001-p"))
            let primary = try await FleetClient.connect(primaryKey)
            let notConfigured = try await #require(throws: MySQLError.self) { try await primary.query("START SLAVE") }
            #expect(notConfigured.serverErrorNumber == 1200)
            let stopped = try await primary.query("STOP SLAVE")
            #expect(stopped.warningCount == 1)
            #expect(try await primary.query("SHOW WARNINGS").rows.first?["Code"] == "1255")

            let replica = try await FleetClient.connect(try #require(fleet.key("c0001-r1")))
            try await fleet.kill(primaryKey)
            _ = try await replica.query("STOP SLAVE IO_THREAD")
            let status = try #require(try await replica.query("SHOW SLAVE STATUS").rows.first)
            #expect(status["Slave_IO_Running"] == "No" && status["Slave_SQL_Running"] == "Yes")
            #expect(status["Last_IO_Errno"] == "2003", "the error stays after the IO thread is stopped")
            #expect(status["Master_Log_File"] == status["Relay_Master_Log_File"])
            #expect(status["Read_Master_Log_Pos"] == status["Exec_Master_Log_Pos"])
            await replica.close()
        }
    }
}
