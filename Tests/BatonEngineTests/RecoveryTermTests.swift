import BatonCore
import BatonEngine
import BatonStore
import BatonTestSupport
import Foundation
import Synchronization
import Testing

/// A recovery's steps belong to the term that registered it: a node that lost leadership and won it back does not
/// resume the old plan, and a recovery another leader resolved meanwhile changes no server.
@Suite struct RecoveryTermTests {
    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.1", port: port) }

    /// Leads throughout, in the terms it is given, one per question (the last one repeats); runs `onAsk` with the
    /// question's number first.
    final class ScriptedTerms: Leadership {
        let nodeName = "baton-test"
        let terms: [UInt64]
        let asked = Mutex(0)
        let onAsk: @Sendable (Int) -> Void

        init(_ terms: [UInt64], onAsk: @escaping @Sendable (Int) -> Void = { _ in }) {
            self.terms = terms
            self.onAsk = onAsk
        }

        var isLeader: Bool { true }
        var leadingTerm: UInt64? {
            let question = asked.withLock { count in
                count += 1
                return count
            }
            onAsk(question)
            return terms[min(question, terms.count) - 1]
        }
    }

    /// A dead primary 1 with replicas 2 and 3 on `leadership`'s node.
    static func failedPrimary(_ leadership: any Leadership, database: BatonDatabase) async throws -> BatonNode {
        let probing = ScriptedProbing()
        probing.set(key(1), .facts(.mariaDB(serverID: 1, replicas: [key(2), key(3)])))
        probing.set(key(2), .facts(.mariaDB(serverID: 2, source: key(1))))
        probing.set(key(3), .facts(.mariaDB(serverID: 3, source: key(1))))
        let node = try await BatonNode.scripted(probing, database: database, leadership: leadership)
        for port in 1...3 { _ = try await node.monitor.discover(key(port)) }
        probing.set(key(1), .fail("connection refused"))
        for port in 2...3 {
            var broken = InstanceFacts.mariaDB(serverID: UInt32(port), source: key(1))
            broken.replication?.ioThread = .other
            probing.set(key(port), .facts(broken))
        }
        _ = await node.monitor.lookAgain(at: [key(1), key(2), key(3)])
        node.detector.analyze()
        return node
    }

    @Test func aNodeThatLeadsAgainInALaterTermDoesNotResumeItsPlan() async throws {
        let database = try BatonDatabase()
        // Term 4 when the recovery is registered; term 6 from the next question on (it lost office and won it back).
        let node = try await Self.failedPrimary(ScriptedTerms([4, 6]), database: database)
        guard case .failure(let refusal) = await node.coordinator.recover(Self.key(1)) else {
            Issue.record("the recovery ran in a later term")
            return
        }
        #expect(refusal.message == "this node leads again, in term 6, but the recovery was registered in term 4")
        let recovery = try #require(try database.recoveries(.all).first)
        #expect(recovery.attempted == false, "no server was changed")
        #expect(recovery.errors == [refusal.message])
        let steps = try database.recoverySteps(uid: recovery.uid).map(\.message)
        #expect(!steps.contains { $0.hasPrefix("executing") }, "\(steps)")
    }

    @Test func aRecoveryResolvedByAnotherLeaderChangesNoServer() async throws {
        let database = try BatonDatabase()
        // When execution asks (the second question), another leader has resolved the recovery as interrupted.
        let node = try await Self.failedPrimary(
            ScriptedTerms([3]) { question in
                guard question == 2, let running = try? database.runningRecoveries().first else { return }
                _ = try? database.resolveRecovery(
                    uid: running.uid,
                    RecoveryResolution(endedAt: Date(), attempted: false, isSuccessful: false, errors: ["interrupted"]))
            },
            database: database)
        guard case .failure(let refusal) = await node.coordinator.recover(Self.key(1)) else {
            Issue.record("the recovery ran although another leader resolved it")
            return
        }
        #expect(refusal.message == "the recovery is no longer running in the replicated state (resolved by another leader)")
        let steps = try database.recoverySteps(uid: try #require(try database.recoveries(.all).first).uid).map(\.message)
        #expect(!steps.contains { $0.hasPrefix("executing") }, "\(steps)")
    }
}
