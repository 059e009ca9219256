import BatonCore
import BatonStore
import Foundation
import Testing

@Suite struct BatonDatabaseTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("baton-store-\(UUID())/baton.sqlite3").path
    }

    func instance(_ port: Int) -> Instance {
        var instance = Instance(key: InstanceKey(hostname: "db", port: port))
        instance.lastSeen = Date(timeIntervalSince1970: 1_700_000_000)
        instance.clusterName = "db:1"
        instance.facts.version = ServerVersion(parsing: "10.11.6-MariaDB")
        instance.facts.replication = ReplicationStatus(
            sourceKey: InstanceKey(hostname: "db", port: 1), ioThread: .running, sqlThread: .stopped,
            lastSQLError: "Duplicate entry")
        return instance
    }

    @Test func fileDatabaseUsesWALAndSurvivesReopening() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        do {
            let database = try BatonDatabase(path: path)
            #expect(try database.journalMode() == "wal")
            try database.saveInstances([instance(2), instance(3)])
            try database.saveHostnameResolution("10.0.0.1", to: "db", at: Date())
        }
        let reopened = try BatonDatabase(path: path)
        let loaded = try reopened.loadInstances()
        #expect(loaded.corrupt.isEmpty)
        #expect(loaded.instances == [instance(2), instance(3)])
        #expect(try reopened.loadHostnameResolutions() == ["10.0.0.1": "db"])
    }

    @Test func upsertReplacesAndDeleteRemoves() throws {
        let database = try BatonDatabase()
        try database.saveInstances([instance(2)])
        var changed = instance(2)
        changed.facts.readOnly = true
        try database.saveInstances([changed])
        #expect(try database.loadInstances().instances == [changed])
        try database.deleteInstances([changed.key, InstanceKey(hostname: "unknown", port: 1)])
        #expect(try database.instanceCount() == 0)
    }

    @Test func batchOfThousandsInOneCall() throws {
        let database = try BatonDatabase()
        try database.saveInstances((1...5_000).map(instance))
        #expect(try database.instanceCount() == 5_000)
    }

    @Test func unopenablePathIsAClearError() {
        #expect {
            try BatonDatabase(path: "/proc/baton-cannot-write-here/db.sqlite3")
        } throws: { error in
            (error as? StoreError)?.code == .openFailed
        }
    }
}

@Suite struct FailureDetectionStoreTests {
    let key = InstanceKey(hostname: "db", port: 1)
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func detection(at offset: TimeInterval, analysis: AnalysisCode = .deadMaster) -> FailureDetectionRecord {
        FailureDetectionRecord(
            key: key, clusterName: "db:1", analysis: analysis, detectedAt: start.addingTimeInterval(offset),
            endsActivePeriod: start.addingTimeInterval(offset + 3600), document: Data("{}".utf8))
    }

    @Test func oneDetectionPerActivePeriod() throws {
        let database = try BatonDatabase()
        let first = try database.registerDetection(detection(at: 0))
        #expect(first.isNew)
        let again = try database.registerDetection(detection(at: 10, analysis: .deadMasterAndSomeReplicas))
        #expect(!again.isNew)
        #expect(again.record.id == first.record.id)
        let later = try database.registerDetection(detection(at: 3601))
        #expect(later.isNew)
        #expect(try database.failureDetections().map(\.id) == [later.record.id, first.record.id])
        #expect(try database.failureDetection(id: first.record.id)?.analysis == .deadMaster)
    }

    @Test func changelogKeepsTheLatestPerInstanceInOrder() throws {
        let database = try BatonDatabase()
        let codes: [AnalysisCode] = [.noProblem, .unreachableMaster, .deadMaster, .noProblem]
        try database.appendAnalysisChanges(
            codes.enumerated().map { AnalysisChange(key: key, analysis: $1, changedAt: start.addingTimeInterval(Double($0))) })
        let changelog = try database.analysisChangelog(perInstance: 3)
        #expect(changelog[key]?.map(\.analysis) == [.unreachableMaster, .deadMaster, .noProblem])
    }
}
