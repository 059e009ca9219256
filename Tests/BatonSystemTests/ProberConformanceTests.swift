import BatonCore
import BatonEngine
import BatonMySQL
import BatonTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// The prober against real MariaDB: the facts a probe reads are the ones the servers were set up with.
@Suite(.serialized) struct ProberConformanceTests {
    @Test func factsOfAPrimaryAnIntermediatePrimaryAndAReplica() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:2")
        defer { sandbox.tearDown() }
        let probing = try sandbox.probing()
        defer { Task { await probing.shutdown() } }
        try sandbox.sql(1, "CREATE DATABASE conformance; CREATE TABLE conformance.t (id INT PRIMARY KEY); INSERT INTO conformance.t VALUES (1)")

        let primary = try #require(await probing.probe(sandbox.key(1)).facts)
        #expect(primary.serverID == UInt32(sandbox.port(1)))
        #expect(primary.version?.flavor == .mariadb)
        #expect(!primary.readOnly)
        #expect(primary.logBinEnabled && primary.logReplicaUpdatesEnabled)
        #expect(primary.binlogFormat == "ROW")
        #expect(primary.replication == nil)
        #expect(primary.replicaKeys == [sandbox.key(2)])
        #expect(!primary.mariaDBGTIDBinlogPos.isEmpty)
        #expect(primary.reportHost == "127.0.0.1")
        #expect(primary.uptimeSeconds >= 0)

        let leaf = try #require(await probing.probe(sandbox.key(3)).facts)
        let replication = try #require(leaf.replication)
        #expect(leaf.readOnly)
        #expect(replication.sourceKey == sandbox.key(2))
        #expect(replication.isReplicating)
        #expect(replication.usesGTIDPositioning)
        #expect(replication.lastIOError.isEmpty)
        #expect(leaf.replicaKeys.isEmpty)

        // Stop the intermediate primary: its replica's IO thread reports the broken link.
        try sandbox.stop(2)
        let replicaView = await waitFor(probing, sandbox.key(3)) { facts in
            facts.replication?.ioThread != .running && !(facts.replication?.lastIOError.isEmpty ?? true)
        }
        #expect(replicaView?.replication?.sqlThread == .running)
        guard case .failure = await probing.probe(sandbox.key(2)) else {
            Issue.record("a stopped server must fail its probe")
            return
        }
    }

    @Test func wrongPasswordIsAFailureNotACrash() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1")
        defer { sandbox.tearDown() }
        let probing = try sandbox.probing(["MySQLTopologyPassword": "wrong"])
        let outcome = await probing.probe(sandbox.key(1))
        let error = try #require(outcome.error as? MySQLError)
        #expect(error.code == .authenticationFailed)
    }

    @Test func probesOverVerifiedTLS() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1", tls: true)
        defer { sandbox.tearDown() }
        let ca = sandbox.directory + "/tls/ca.pem"
        let probing = try sandbox.probing(["MySQLTopologyTLSMode": "required", "MySQLTopologySSLCAFile": ca])
        defer { Task { await probing.shutdown() } }
        let outcome = await probing.probe(sandbox.key(2))
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(outcome.facts?.replication?.sourceKey == sandbox.key(1))
        let session = try #require(try sandbox.sql(2, "SHOW STATUS LIKE 'Ssl_accepts'").split(separator: "\t").last)
        #expect((Int(session.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 1)
    }

    func waitFor(
        _ probing: MySQLInstanceProbing, _ key: InstanceKey, until condition: (InstanceFacts) -> Bool
    ) async -> InstanceFacts? {
        var last: InstanceFacts?
        for _ in 0..<100 {
            last = await probing.probe(key).facts
            if let last, condition(last) { return last }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return last
    }
}
