import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Holistic failure detection against real MariaDB servers and a real `baton serve`.
@Suite(.serialized) struct DetectionAgainstMariaDBTests {
    struct SetupFailure: Error, CustomStringConvertible {
        var description: String
    }

    struct Row: Codable, Sendable {
        var analysis: String
        var structureAnalysis: [String]
        enum CodingKeys: String, CodingKey {
            case analysis = "Analysis", structureAnalysis = "StructureAnalysis"
        }
    }

    /// Starts servers and a daemon, discovers the topology from server 1 and waits until every server is valid.
    func start(_ topology: String, servers: Int) async throws -> (MariaDBSandbox, BatonDaemon, APICaller) {
        let sandbox = try MariaDBSandbox.start(topology: topology)
        let daemon: BatonDaemon
        do {
            daemon = try BatonDaemon(configuration: sandbox.batonSettings)
        } catch {
            sandbox.tearDown()
            throw error
        }
        let api = APICaller(base: daemon.apiURL)
        guard await api.waitUntilUp() else {
            daemon.tearDown()
            sandbox.tearDown()
            throw SetupFailure(description: "baton serve did not come up:\n\(daemon.log())")
        }
        _ = try await api.get("discover/127.0.0.1/\(sandbox.port(1))")
        let (_, ready) = try await api.poll([InstanceDocument].self, "all-instances") { all in
            all.count == servers && all.allSatisfy(\.isLastCheckValid)
        }
        if !ready {
            daemon.tearDown()
            sandbox.tearDown()
            throw SetupFailure(description: "discovery incomplete:\n\(daemon.log())")
        }
        return (sandbox, daemon, api)
    }

    func analysis(_ api: APICaller, _ key: InstanceKey) async throws -> Row? {
        let envelope = try await api.decode(
            APIResponse<[Row]>.self, "replication-analysis/instance/\(key.hostname)/\(key.port)")
        return envelope.details?.first
    }

    func waitForAnalysis(
        _ api: APICaller, _ key: InstanceKey, timeout: Duration = .seconds(30), _ condition: (String) -> Bool
    ) async throws -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last: String?
        while clock.now < deadline {
            last = try await analysis(api, key)?.analysis
            if let last, condition(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        return last
    }

    @Test func killedPrimaryIsADeadMaster() async throws {
        let (sandbox, daemon, api) = try await start("1 2:1 3:1", servers: 3)
        defer { daemon.tearDown(); sandbox.tearDown() }
        #expect(try await waitForAnalysis(api, sandbox.key(1)) { $0 == "NoProblem" } == "NoProblem")

        let killedAt = ContinuousClock.now
        try sandbox.kill(1)
        let verdict = try await waitForAnalysis(api, sandbox.key(1)) { $0 == "DeadMaster" }
        print("baton: DeadMaster after \(ContinuousClock.now - killedAt) (InstancePollSeconds 1)")
        #expect(verdict == "DeadMaster", "\(daemon.log())")

        let detections = try await api.decode([FailureDetection].self, "audit-failure-detection")
        #expect(detections.count == 1)
        #expect(detections.first?.analysisEntry.analysis == "DeadMaster")
    }

    @Test func silentlyHungPrimaryIsADeadMasterOnceItsReplicasGiveUpOnIt() async throws {
        let (sandbox, daemon, api) = try await start("1 2:1 3:1", servers: 3)
        defer { daemon.tearDown(); sandbox.tearDown() }
        #expect(try await waitForAnalysis(api, sandbox.key(1)) { $0 == "NoProblem" } == "NoProblem")

        // SIGSTOP: the primary's sockets stay open and nothing resets; Baton's next probe times out after the
        // connect timeout, and the replicas report the broken link after slave_net_timeout (4 s in the sandbox).
        let pausedAt = ContinuousClock.now
        try sandbox.pause(1)
        defer { try? sandbox.resume(1) }
        let verdict = try await waitForAnalysis(api, sandbox.key(1), timeout: .seconds(40)) {
            $0 == "DeadMaster"
        }
        print("baton: silent primary DeadMaster after \(ContinuousClock.now - pausedAt) (slave_net_timeout 4 s)")
        #expect(verdict == "DeadMaster", "\(daemon.log())")
    }

    @Test func primaryUnreachableByBatonButReplicatingIsUnreachableMasterNotDeadMaster() async throws {
        let (sandbox, daemon, api) = try await start("1 2:1 3:1", servers: 3)
        defer { daemon.tearDown(); sandbox.tearDown() }
        #expect(try await waitForAnalysis(api, sandbox.key(1)) { $0 == "NoProblem" } == "NoProblem")

        // Lock Baton's account on the primary only (not replicated) and drop its sessions: Baton cannot reach the
        // primary, while the replicas keep replicating through their own account.
        try sandbox.sql(
            1,
            "SET SESSION sql_log_bin = 0; ALTER USER 'baton'@'127.0.0.1' ACCOUNT LOCK; "
                + "ALTER USER 'baton'@'localhost' ACCOUNT LOCK; KILL USER 'baton'")
        let verdict = try await waitForAnalysis(api, sandbox.key(1)) { $0 == "UnreachableMaster" }
        #expect(verdict == "UnreachableMaster", "\(daemon.log())")
        // It stays that way: the replicas, the second observers, still see their source.
        try await Task.sleep(for: .seconds(2))
        #expect(try await analysis(api, sandbox.key(1))?.analysis == "UnreachableMaster")
        let detections = try await api.decode([FailureDetection].self, "audit-failure-detection")
        #expect(detections.isEmpty, "UnreachableMaster is not actionable")
    }

    @Test func killedIntermediatePrimaryIsADeadIntermediateMaster() async throws {
        let (sandbox, daemon, api) = try await start("1 2:1 3:2 4:2", servers: 4)
        defer { daemon.tearDown(); sandbox.tearDown() }
        #expect(try await waitForAnalysis(api, sandbox.key(2)) { $0 == "NoProblem" } == "NoProblem")

        try sandbox.kill(2)
        let verdict = try await waitForAnalysis(api, sandbox.key(2)) { $0.hasPrefix("DeadIntermediateMaster") }
        #expect(verdict == "DeadIntermediateMaster", "\(daemon.log())")
    }

    @Test func stoppedIOThreadOfTheOnlyReplica() async throws {
        let (sandbox, daemon, api) = try await start("1 2:1", servers: 2)
        defer { daemon.tearDown(); sandbox.tearDown() }
        #expect(try await waitForAnalysis(api, sandbox.key(1)) { $0 == "NoProblem" } == "NoProblem")

        try sandbox.sql(2, "STOP SLAVE IO_THREAD")
        let verdict = try await waitForAnalysis(api, sandbox.key(1)) { $0 == "MasterSingleReplicaNotReplicating" }
        #expect(verdict == "MasterSingleReplicaNotReplicating", "\(daemon.log())")
    }
}

/// The fields of `audit-failure-detection` rows these tests read.
struct FailureDetection: Decodable {
    struct Entry: Decodable {
        var analysis: String
        enum CodingKeys: String, CodingKey { case analysis = "Analysis" }
    }
    var analysisEntry: Entry
    enum CodingKeys: String, CodingKey { case analysisEntry = "AnalysisEntry" }
}
