import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// The walking skeleton end to end: real MariaDB servers, a real `baton serve` process, its HTTP API.
@Suite(.serialized) struct DiscoveryAgainstMariaDBTests {
    static let topology = "1 2:1 3:1 4:1 5:4"

    @Test func discoversWholeTopologyFromOneReplicaAndNoticesAKilledReplica() async throws {
        let sandbox = try MariaDBSandbox.start(topology: Self.topology)
        defer { sandbox.tearDown() }
        let pollSeconds = 1
        let daemon = try BatonDaemon(
            configuration: sandbox.batonSettings.merging([
                "InstancePollSeconds": pollSeconds, "MySQLDiscoveryReadTimeoutSeconds": 2,
            ]) { $1 })
        defer { daemon.tearDown() }
        let api = APICaller(base: daemon.apiURL)
        try #require(await api.waitUntilUp(), "baton serve did not come up:\n\(daemon.log())")

        // Discover from the deepest replica only: the crawl must find its intermediate primary, the primary and
        // the primary's other replicas.
        let seed = sandbox.key(5)
        let discovered = try await api.decode(
            APIResponse<InstanceDocument>.self, "discover/\(seed.hostname)/\(seed.port)")
        #expect(discovered.code == .ok, "discover failed: \(discovered.message)")
        #expect(discovered.details?.key == seed)

        let (instances, complete) = try await api.poll([InstanceDocument].self, "all-instances") { all in
            all.count == 5 && all.allSatisfy { $0.isLastCheckValid && !$0.clusterName.isEmpty }
                && Set(all.map(\.clusterName)).count == 1
        }
        #expect(complete, "topology not complete:\n\(instances.map { "\($0.key) \($0.clusterName)" })\n\(daemon.log())")
        let byKey = Dictionary(uniqueKeysWithValues: instances.map { ($0.key, $0) })
        let none = InstanceKey(hostname: "", port: 0)
        let expected: [(server: Int, source: InstanceKey, depth: Int)] = [
            (1, none, 0), (2, sandbox.key(1), 1), (3, sandbox.key(1), 1), (4, sandbox.key(1), 1),
            (5, sandbox.key(4), 2),
        ]
        for (server, source, depth) in expected {
            let instance = try #require(byKey[sandbox.key(server)], "server \(server) missing")
            #expect(instance.masterKey == source, "server \(server)")
            #expect(instance.replicationDepth == depth, "server \(server)")
            #expect(instance.clusterName == sandbox.key(1).description, "server \(server)")
        }
        #expect(byKey[sandbox.key(1)]?.readOnly == false)
        #expect(byKey[sandbox.key(2)]?.readOnly == true)
        #expect(byKey[sandbox.key(3)]?.slaveIORunning == true)
        #expect(byKey[sandbox.key(3)]?.usingMariaDBGTID == true)
        #expect(byKey[sandbox.key(1)]?.replicas.count == 3)

        // kill -9 one replica: it becomes not last-check-valid, the others stay valid.
        let killed = sandbox.key(3)
        let killedAt = ContinuousClock.now
        try sandbox.kill(3)
        let (after, noticed) = try await api.poll([InstanceDocument].self, "all-instances") { all in
            all.first { $0.key == killed }?.isLastCheckValid == false
        }
        let elapsed = ContinuousClock.now - killedAt
        #expect(noticed, "killed replica still valid:\n\(daemon.log())")
        print("baton: killed replica noticed after \(elapsed) (InstancePollSeconds \(pollSeconds))")
        let others = after.filter { $0.key != killed }
        #expect(others.count == 4)
        #expect(others.allSatisfy { $0.isLastCheckValid }, "\(others.filter { !$0.isLastCheckValid }.map(\.key))")
        #expect(after.first { $0.key == killed }?.lastCheckError.isEmpty == false)

        // The restarted replica is valid again.
        try sandbox.start(3)
        let (_, recovered) = try await api.poll(InstanceDocument.self, "instance/\(killed.hostname)/\(killed.port)") {
            $0.isLastCheckValid
        }
        #expect(recovered)

        // Graceful shutdown on SIGTERM.
        #expect(daemon.terminate() == 0, "\(daemon.log())")
    }
}

