import BatonCore
import BatonEngine
import BatonStore
import BatonTestSupport
import Foundation
import Logging
import Testing

/// What applying a command answers, on a Raft node (an index numbers the rows) and on a single node (no index).
struct BatonCommandApplierTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let failed = InstanceKey(hostname: "db-1", port: 3306)
    static let automatic = RegistrationRules(isManual: false, blockSeconds: 3600)

    static func applier() async throws -> (BatonCommandApplier, BatonDatabase) {
        let database = try BatonDatabase()
        let node = try await BatonNode.scripted(ScriptedProbing(), database: database)
        let logger = Logger(label: "test")
        return (BatonCommandApplier(database: database, controls: node.controls, monitor: node.monitor, logger: logger), database)
    }

    static func recovery(_ uid: String, at offset: TimeInterval = 0) -> RecoveryRecord {
        RecoveryRecord(
            uid: uid, failedKey: failed, clusterName: "db-1:3306", analysis: .deadMaster, kind: .masterRecovery,
            processingNode: "node-a", startedAt: now.addingTimeInterval(offset))
    }

    @Test func theLogIndexNumbersRecoveriesStepsAndDetections() async throws {
        let (applier, database) = try await Self.applier()
        var record = Self.recovery("a")
        record.id = 999  // whatever the leader sent: the index decides
        #expect(try applier.apply(.registerRecovery(record, Self.automatic), index: 17).recovery?.id == 17)
        _ = try applier.apply(.recoveryStep(RecoveryStepRecord(recoveryUID: "a", at: Self.now, message: "m")), index: 18)
        let detection = FailureDetectionRecord(
            key: InstanceKey(hostname: "db-9", port: 3306), clusterName: "db-9:3306", analysis: .deadMaster,
            detectedAt: Self.now, endsActivePeriod: Self.now.addingTimeInterval(60), document: Data("{}".utf8))
        #expect(try applier.apply(.registerDetection(detection), index: 19).detection?.id == 19)
        #expect(try database.recoverySteps(uid: "a").map(\.id) == [18])
        #expect(try applier.apply(.acknowledgeRecoveries(.id(17), by: "ops", comment: "", at: Self.now), index: 20).count == 1)
    }

    @Test func withoutAnIndexTheStoreNumbersRows() async throws {
        let (applier, _) = try await Self.applier()
        let first = try applier.apply(.registerRecovery(Self.recovery("a"), Self.automatic), index: nil)
        #expect(first.recovery?.id == 1)
        _ = try applier.apply(
            .resolveRecovery(uid: "a", RecoveryResolution(endedAt: Self.now, attempted: false, isSuccessful: false)),
            index: nil)
        let second = try applier.apply(.registerRecovery(Self.recovery("b", at: 1), Self.automatic), index: nil)
        #expect(second.recovery?.id == 2)
    }

    /// The refusals a registration meets where it is applied, as the result reports them.
    @Test(arguments: ["running", "disabled", "downtimed", "recent"])
    func aRefusedRegistrationSaysWhy(_ situation: String) async throws {
        let (applier, _) = try await Self.applier()
        var index: Int64 = 0
        func apply(_ command: BatonCommand) throws -> BatonCommandResult {
            index += 1
            return try applier.apply(command, index: index)
        }
        switch situation {
        case "running":
            _ = try apply(.registerRecovery(Self.recovery("old", at: -10), Self.automatic))
        case "disabled":
            _ = try apply(.setRecoveriesEnabled(false))
        case "downtimed":
            _ = try apply(.beginDowntime(Downtime(key: Self.failed, endsAt: Self.now.addingTimeInterval(60)), beginsAt: Self.now))
        default:
            _ = try apply(.registerRecovery(Self.recovery("old", at: -100), Self.automatic))
            _ = try apply(.markExecuting(uid: "old", at: Self.now.addingTimeInterval(-90)))
            _ = try apply(
                .resolveRecovery(
                    uid: "old", RecoveryResolution(endedAt: Self.now.addingTimeInterval(-60), attempted: true, isSuccessful: true)))
        }
        let result = try apply(.registerRecovery(Self.recovery("new"), Self.automatic))
        #expect(result.recovery == nil)
        let refusal = try #require(result.refusal)
        switch situation {
        case "running":
            #expect(result.lockedBy?.uid == "old" && result.blockingRecovery?.uid == "old")
            #expect(refusal.contains("still running"))
        case "recent":
            #expect(result.lockedBy == nil && result.blockingRecovery?.uid == "old")
            #expect(refusal.contains("recovered recently"))
        default:
            #expect(result.lockedBy == nil && result.blockingRecovery == nil)
            #expect(refusal.contains(situation == "disabled" ? "disabled globally" : "downtimed"))
        }
    }

    @Test func markExecutingAndResolveChangeOnlyARunningRecovery() async throws {
        let (applier, database) = try await Self.applier()
        _ = try applier.apply(.registerRecovery(Self.recovery("a"), Self.automatic), index: 1)
        #expect(try applier.apply(.markExecuting(uid: "a", at: Self.now), index: 2).count == 1)
        let resolution = RecoveryResolution(endedAt: Self.now.addingTimeInterval(5), attempted: true, isSuccessful: true)
        #expect(try applier.apply(.resolveRecovery(uid: "a", resolution), index: 3).count == 1)
        let interrupted = RecoveryResolution(endedAt: Self.now.addingTimeInterval(9), attempted: true, isSuccessful: false)
        let again = try applier.apply(.resolveRecovery(uid: "a", interrupted), index: 4)
        #expect(again.count == 0 && again.error != nil)
        let late = try applier.apply(.markExecuting(uid: "a", at: Self.now.addingTimeInterval(10)), index: 5)
        #expect(late.count == 0 && late.error != nil)
        let stored = try #require(try database.recoveries(.uid("a")).first)
        #expect(stored.isSuccessful && stored.executingAt == Self.now && stored.endedAt == resolution.endedAt)
    }

    @Test func theEnvelopeIsVersionTwoAndVersionOneIsStillRead() throws {
        let bytes = try BatonCommand.markExecuting(uid: "a", at: Self.now).encoded()
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""v":2"#))
        #expect(try BatonCommand.decode(bytes) == .markExecuting(uid: "a", at: Self.now))
        #expect(try BatonCommand.decode(Array(#"{"v":1,"command":{"setRecoveriesEnabled":{"_0":true}}}"#.utf8)) == .setRecoveriesEnabled(true))
        #expect(throws: CommandError.self) {
            try BatonCommand.decode(Array(#"{"v":3,"command":{"setRecoveriesEnabled":{"_0":true}}}"#.utf8))
        }
    }

    /// A registration from a version-1 log: no rules, a record without the executing mark or the votes.
    @Test func aVersionOneRegistrationIsReadAsLockOnly() throws {
        let record = Self.recovery("a")
        var json = try #require(
            try JSONSerialization.jsonObject(with: Data(try BatonCommand.registerRecovery(record, Self.automatic).encoded()))
                as? [String: Any])
        var command = try #require(json["command"] as? [String: Any])
        var registration = try #require(command["registerRecovery"] as? [String: Any])
        var fields = try #require(registration["_0"] as? [String: Any])
        fields["confirmationDocument"] = nil
        registration = ["_0": fields]
        command["registerRecovery"] = registration
        json = ["v": 1, "command": command]
        let decoded = try BatonCommand.decode(Array(try JSONSerialization.data(withJSONObject: json)))
        #expect(decoded == .registerRecovery(record, RegistrationRules(isManual: true, blockSeconds: 0)))
    }
}
