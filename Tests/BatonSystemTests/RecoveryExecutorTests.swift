import BatonCore
import BatonEngine
import BatonMySQL
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// Recovery plans executed against real MariaDB servers after a kill -9.
@Suite(.serialized) struct RecoveryExecutorTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let logger = Logger(label: "test")

    /// The executor's view of the sandbox's account: short connect timeout, 10 s statements.
    func access(_ sandbox: MariaDBSandbox) throws -> BatonConfiguration.TopologyAccess {
        try sandbox.topologyAccess(["MySQLTopologyReadTimeoutSeconds": 10])
    }

    /// Probes `servers` now and builds resolved instances whose last check is valid.
    func instances(_ sandbox: MariaDBSandbox, _ servers: [Int]) async throws -> [Instance] {
        let probing = try sandbox.probing()
        var instances: [Instance] = []
        for server in servers {
            let outcome = await probing.probe(sandbox.key(server))
            guard let facts = outcome.facts else {
                await probing.shutdown()
                throw Failure(description: "probe of server \(server) failed: \(String(describing: outcome.error))")
            }
            var instance = Instance(key: sandbox.key(server))
            instance.facts = facts
            let now = Date()
            instance.lastAttempted = now
            instance.lastChecked = now
            instance.lastSeen = now
            instance.sourceKey = facts.replication?.sourceKey
            instances.append(instance)
        }
        await probing.shutdown()
        return TopologyResolver.resolve(instances)
    }

    /// Creates `recovery.t` on `server` with one row and waits until `replicas` have it.
    func writeAndAwait(_ sandbox: MariaDBSandbox, on server: Int, id: Int, reaching replicas: [Int]) async throws {
        if id == 1 {
            try sandbox.sql(server, "CREATE DATABASE recovery; CREATE TABLE recovery.t (id INT PRIMARY KEY)")
        }
        try sandbox.sql(server, "INSERT INTO recovery.t VALUES (\(id))")
        for replica in replicas {
            let arrived = await eventually(timeout: .seconds(15), interval: .milliseconds(100)) {
                (try? sandbox.sql(replica, "SELECT COUNT(*) FROM recovery.t WHERE id = \(id)"))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
            }
            #expect(arrived, "row \(id) written on server \(server) did not reach server \(replica)")
        }
    }

    /// `SHOW SLAVE STATUS` of one server by column name; `nil` when no replication is configured.
    func replicationStatus(_ sandbox: MariaDBSandbox, _ server: Int) async throws -> [String: String]? {
        let connection = try await MySQLConnection.connect(
            to: MySQLConnectionConfiguration(
                host: "127.0.0.1", port: sandbox.port(server), user: sandbox.user, password: sandbox.password),
            on: MultiThreadedEventLoopGroup.singleton, logger: logger)
        defer { Task { await connection.close() } }
        guard let row = try await connection.query("SHOW SLAVE STATUS").rows.first else { return nil }
        return row.dictionary.compactMapValues { $0 }
    }

    func replicates(_ sandbox: MariaDBSandbox, _ server: Int, from source: Int) async -> Bool {
        await eventually(timeout: .seconds(15), interval: .milliseconds(100)) {
            guard let status = try? await replicationStatus(sandbox, server) else { return false }
            return status["Master_Port"] == "\(sandbox.port(source))" && status["Slave_IO_Running"] == "Yes"
                && status["Slave_SQL_Running"] == "Yes"
        }
    }

    func readOnly(_ sandbox: MariaDBSandbox, _ server: Int) throws -> String {
        try sandbox.sql(server, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The scenario every dead-primary test starts from: a row replicated everywhere, then server 1 killed, and
    /// its replicas probed and ranked as the coordinator would.
    func killPrimary(_ sandbox: MariaDBSandbox, replicas servers: [Int]) async throws -> (
        failed: Instance, replicas: [Instance], ranking: CandidateRanking.Result
    ) {
        try await writeAndAwait(sandbox, on: 1, id: 1, reaching: servers)
        let failed = try #require(try await instances(sandbox, [1]).first)
        try sandbox.kill(1)
        let replicas = try await instances(sandbox, servers)
        let ranking = CandidateRanking.rank(failed: failed, replicas: replicas, constraints: .init(), pollSeconds: 5)
        return (failed, replicas, ranking)
    }

    /// An executor for the sandbox's servers.
    func makeExecutor(_ sandbox: MariaDBSandbox) throws -> RecoveryExecutor<ContinuousClock> {
        RecoveryExecutor(
            access: try access(sandbox), eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }

    @Test func deadPrimaryIsReplacedByAReplicaThatTheOthersFollow() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:1 4:1")
        defer { sandbox.tearDown() }
        let (failed, replicas, ranking) = try await killPrimary(sandbox, replicas: [2, 3, 4])
        let plan = try RecoveryPlan.deadPrimary(failed: failed, replicas: replicas, ranking: ranking)
        let candidate = try #require(plan.candidate)
        let candidateServer = candidate.port - sandbox.basePort
        let others = [2, 3, 4].filter { $0 != candidateServer }
        #expect(plan.followers == others.map(sandbox.key))
        #expect(plan.lost.isEmpty)

        let executor = try makeExecutor(sandbox)
        let result = await executor.execute(plan)
        #expect(result.outcome == .succeeded, "\(result.errors)")
        #expect(result.successorKey == candidate)
        #expect(result.lostReplicas.isEmpty)
        #expect(result.movedReplicas == plan.followers)
        // Only the best-effort read_only on the dead primary failed.
        let failures = result.steps.filter { if case .failed = $0.status { true } else { false } }
        #expect(failures.map(\.step.name) == ["set-read-only"])
        #expect(failures.first?.step.target == sandbox.key(1))
        #expect(result.errors.count == 1)

        #expect(try readOnly(sandbox, candidateServer) == "0")
        #expect(try await replicationStatus(sandbox, candidateServer) == nil)
        for other in others {
            #expect(await replicates(sandbox, other, from: candidateServer), "server \(other)")
        }
        try await writeAndAwait(sandbox, on: candidateServer, id: 2, reaching: others)
    }

    @Test func deadIntermediatePrimaryHandsItsReplicasToItsSource() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:2 4:2")
        defer { sandbox.tearDown() }
        try await writeAndAwait(sandbox, on: 1, id: 1, reaching: [2, 3, 4])
        let failed = try #require(try await instances(sandbox, [2]).first)
        try sandbox.kill(2)

        let all = try await instances(sandbox, [1, 3, 4])
        let source = try #require(all.first { $0.key == sandbox.key(1) })
        let replicas = all.filter { $0.sourceKey == sandbox.key(2) }
        let siblings = all.filter { $0.sourceKey == sandbox.key(1) }
        let plan = try RecoveryPlan.deadIntermediatePrimary(
            failed: failed, replicas: replicas, siblings: siblings, source: source, pollSeconds: 5)
        #expect(plan.successor == sandbox.key(1))
        #expect(plan.followers == [sandbox.key(3), sandbox.key(4)])

        let executor = try makeExecutor(sandbox)
        let result = await executor.execute(plan)
        #expect(result.outcome == .succeeded, "\(result.errors)")
        #expect(result.successorKey == sandbox.key(1))
        #expect(result.errors.isEmpty)
        for server in [3, 4] {
            #expect(await replicates(sandbox, server, from: 1), "server \(server)")
        }
        try await writeAndAwait(sandbox, on: 1, id: 2, reaching: [3, 4])
    }

    @Test func aFollowerThatCannotBeRepointedIsLostAndTheOthersGoOn() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:1 4:1")
        defer { sandbox.tearDown() }
        let (failed, replicas, ranking) = try await killPrimary(sandbox, replicas: [2, 3, 4])
        let plan = try RecoveryPlan.deadPrimary(
            failed: failed, replicas: replicas, ranking: ranking, forcedCandidate: sandbox.key(2))
        try sandbox.kill(4)

        let executor = try makeExecutor(sandbox)
        let result = await executor.execute(plan)
        #expect(result.outcome == .succeeded, "\(result.errors)")
        #expect(result.successorKey == sandbox.key(2))
        #expect(result.lostReplicas.map(\.key) == [sandbox.key(4)])
        #expect(result.movedReplicas == [sandbox.key(3)])
        // After its first failed step, the lost follower's other steps are skipped, not tried.
        let onFour = result.steps.filter { $0.step.target == sandbox.key(4) }
        #expect(onFour.filter { if case .failed = $0.status { true } else { false } }.count == 1)
        #expect(onFour.dropFirst().allSatisfy { if case .skipped = $0.status { true } else { false } })
        #expect(await replicates(sandbox, 3, from: 2))
    }

    @Test func aRecoveryNoLongerAllowedChangesNoServer() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:1")
        defer { sandbox.tearDown() }
        let (failed, replicas, ranking) = try await killPrimary(sandbox, replicas: [2, 3])
        let plan = try RecoveryPlan.deadPrimary(failed: failed, replicas: replicas, ranking: ranking)
        let executor = try makeExecutor(sandbox)
        let result = await executor.execute(plan, checkStillAllowed: { false })
        #expect(result.outcome == .aborted)
        #expect(result.steps.isEmpty)
        #expect(result.successorKey == nil)

        for server in [2, 3] {
            let status = try #require(try await replicationStatus(sandbox, server))
            #expect(status["Master_Port"] == "\(sandbox.port(1))")
            #expect(status["Slave_SQL_Running"] == "Yes")
            #expect(status["Slave_IO_Running"] != "No", "the IO thread was not stopped")
            #expect(try readOnly(sandbox, server) == "1")
        }
    }
}
