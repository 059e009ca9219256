import BatonCore
import BatonEngine
import BatonHooks
import BatonStore
import BatonTestSupport
import Foundation
import Testing

/// `PreFailoverFencingProcesses`: the operator's STONITH runs after `PreFailoverProcesses` and before any server is
/// changed; a failing one stops the recovery, resolved as not attempted with the reason.
@Suite(.timeLimit(.minutes(1))) struct PreFailoverFencingHookTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    /// A node over a primary that stopped answering and two replicas that cannot reach it.
    static func nodeWithADeadPrimary(hooks: [String: [String]]) async throws -> BatonNode {
        let probing = ScriptedProbing()
        probing.set(key(1), .facts(.mariaDB(serverID: 1, replicas: [key(2), key(3)])))
        for port in [2, 3] { probing.set(key(port), .facts(.mariaDB(serverID: UInt32(port), source: key(1)))) }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: hooks), as: UTF8.self)
        let node = try await BatonNode.scripted(probing, configuration: json)
        for port in 1...3 { _ = try await node.monitor.discover(key(port)) }
        probing.set(key(1), .fail("connection refused"))
        for port in [2, 3] {
            var facts = InstanceFacts.mariaDB(serverID: UInt32(port), source: key(1))
            facts.replication?.ioThread = .other
            facts.replication?.lastIOError = "error reconnecting to master 'repl@10.0.0.1:1' - retry-time: 1"
            probing.set(key(port), .facts(facts))
        }
        _ = try? await node.monitor.discover(key(1))
        for port in [2, 3] { _ = try await node.monitor.discover(key(port)) }
        return node
    }

    @Test func aFailingFencingHookStopsTheRecoveryBeforeAnyServerIsChanged() async throws {
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("fencing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: marks) }
        let node = try await Self.nodeWithADeadPrimary(hooks: [
            "PreFailoverProcesses": ["echo pre-failover >> \(marks.path)"],
            "PreFailoverFencingProcesses": ["echo fencing {failedHost}:{failedPort} >> \(marks.path); exit 3"],
            "PostUnsuccessfulFailoverProcesses": ["echo post >> \(marks.path)"],
        ])
        let result = await node.coordinator.recover(Self.key(1))
        guard case .failure(let refusal) = result else {
            Issue.record("the recovery went on: \(result)")
            return
        }
        #expect(refusal.message.hasPrefix("PreFailoverFencingProcesses aborted the recovery"), "\(refusal.message)")
        // In order, and nothing after the fencing hook (not attempted: no post hooks either).
        let ran = (try? String(contentsOf: marks, encoding: .utf8)) ?? ""
        #expect(ran == "pre-failover\nfencing '10.0.0.1':1\n" || ran == "pre-failover\nfencing 10.0.0.1:1\n", "\(ran)")

        let uid = try #require(refusal.recovery?.uid)
        let record = try #require(try node.recoveryAudit.recoveries(.uid(uid)).first)
        #expect(!record.attempted)
        #expect(!record.isSuccessful)
        #expect(record.errors.first?.hasPrefix("PreFailoverFencingProcesses aborted the recovery") == true)
        let steps = try node.recoveryAudit.steps(uid: uid).map(\.message)
        #expect(steps.contains { $0.contains("PreFailoverFencing") }, "\(steps)")
        #expect(!steps.contains { $0.hasPrefix("executing") }, "a server was to be changed: \(steps)")
        #expect(steps.contains { $0.hasPrefix("not attempted: PreFailoverFencingProcesses aborted") }, "\(steps)")
    }

    @Test func theConfigurationKeyNamesThePhase() throws {
        let configuration = try BatonConfiguration.parse(Data(#"{"PreFailoverFencingProcesses": ["true", "false"]}"#.utf8))
        #expect(configuration.recovery.hooks[.preFailoverFencing].count == 2)
        #expect(HookPhase.preFailoverFencing.configurationKey == "PreFailoverFencingProcesses")
        #expect(HookPhase.preFailoverFencing.abortsOnFailure)
    }
}
