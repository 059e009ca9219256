import BatonCore
import Foundation
import Testing

/// Sketches written out as `baton analyze` snapshot files: Instance documents as `GET /api/all-instances` returns
/// them, with the sketch's downtimes as the documents report them (`IsDowntimed`, `DowntimeEndTimestamp`).
enum SnapshotFile {
    /// `AnalysisSketch.downtimeEnd` as orchestrator writes it.
    static let downtimeEnd = "2023-11-14 23:13:22"

    static func documents(_ nodes: [Node], settings: AnalysisSettings = .init()) -> [InstanceDocument] {
        let downtimed = Set(nodes.filter(\.isDowntimed).map(\.instance.key))
        return AnalysisSketch.snapshot(nodes, settings: settings).instances.map { instance in
            var document = InstanceDocument(instance, now: AnalysisSketch.now, pollSeconds: settings.pollSeconds)
            if downtimed.contains(instance.key) {
                document.isDowntimed = true
                document.downtimeOwner = "test"
                document.downtimeReason = "maintenance"
                document.downtimeEndTimestamp = downtimeEnd
            }
            return document
        }
    }

    static func data(_ documents: [InstanceDocument]) throws -> Data { try JSONEncoder().encode(documents) }

    /// `baton analyze` on the sketch, with its stale binary logs (which documents cannot carry) passed alongside.
    static func run(
        _ nodes: [Node], includeDowntimed: Bool = false, json: Bool = false, settings: AnalysisSettings = .init()
    ) throws -> String {
        try OfflineAnalysis.run(
            snapshotJSON: data(documents(nodes, settings: settings)), includeDowntimed: includeDowntimed, json: json,
            now: AnalysisSketch.now, settings: settings,
            staleBinlogSince: AnalysisSketch.snapshot(nodes, settings: settings).staleBinlogSince)
    }

    /// The items (code and warnings) of the line printed for `port`, or `nil` when there is no such line.
    static func items(of port: Int, in output: String) -> [String]? {
        let prefix = "\(AnalysisSketch.key(port)) (cluster "
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
            let separator = line.range(of: "): ")
        else { return nil }
        return line[separator.upperBound...].components(separatedBy: ", ")
    }
}

@Suite struct OfflineAnalysisTests {
    /// Every code case, replayed from a snapshot file: the line for the analysed instance carries the code the
    /// in-process analyser gives (first, then the row's warnings), or only warnings (or nothing) for `NoProblem`.
    @Test(arguments: codeCases)
    func codeCaseThroughASnapshotFile(_ testCase: CodeCase) throws {
        let inProcess = AnalysisSketch.analyze(testCase.nodes, settings: testCase.settings)
        let row = inProcess.first { $0.analyzedInstanceKey == AnalysisSketch.key(testCase.at) }
        #expect((row?.analysis ?? .noProblem) == testCase.expected)

        let output = try SnapshotFile.run(testCase.nodes, settings: testCase.settings)
        let items = SnapshotFile.items(of: testCase.at, in: output)
        let warnings = (row?.structureAnalysis ?? []).map(\.rawValue)
        if testCase.expected == .noProblem {
            #expect(items == (warnings.isEmpty ? nil : warnings), "\(output)")
        } else {
            let code = testCase.expected.rawValue
            #expect(items == [code] + warnings.filter { $0 != code }, "\(output)")
        }
        #expect(output == OfflineAnalysis.text(inProcess, includeDowntimed: false))
    }

    @Test(arguments: warningCases)
    func warningCaseThroughASnapshotFile(_ testCase: WarningCase) throws {
        let row = try #require(AnalysisSketch.row(testCase.at, in: testCase.nodes))
        #expect(row.structureAnalysis.contains(testCase.warning) == testCase.expected)

        let output = try SnapshotFile.run(testCase.nodes)
        let items = SnapshotFile.items(of: testCase.at, in: output) ?? []
        #expect(items.contains(testCase.warning.rawValue) == testCase.expected, "\(output)")
        #expect(output == OfflineAnalysis.text(AnalysisSketch.analyze(testCase.nodes), includeDowntimed: false))
    }

    @Test func linesAreSortedByInstanceKeyWhateverTheFileOrder() throws {
        let nodes: [Node] = [
            .primary(10).dead,
            .primary(3), .replica(4, of: 3).failingToConnect, .replica(5, of: 3),
            .primary(1), .replica(2, of: 1).stopped,
        ]
        let documents = SnapshotFile.documents(nodes)
        let output = try OfflineAnalysis.run(
            snapshotJSON: SnapshotFile.data(documents.reversed()), includeDowntimed: false, json: false,
            now: AnalysisSketch.now)
        #expect(output == """
            127.0.0.1:1 (cluster 127.0.0.1:1): MasterSingleReplicaNotReplicating
            127.0.0.1:4 (cluster 127.0.0.1:3): FirstTierReplicaFailingToConnectToMaster
            127.0.0.1:10 (cluster 127.0.0.1:10): DeadMasterWithoutReplicas

            """)
    }

    @Test func noProblemRowsListOnlyTheirWarnings() throws {
        let output = try SnapshotFile.run([
            .primary(1).readOnly, .replica(2, of: 1).positional, .replica(3, of: 1),
        ])
        #expect(output == """
            127.0.0.1:1 (cluster 127.0.0.1:1): NoFailoverSupportStructureWarning, NoWriteableMasterStructureWarning

            """)
    }

    @Test func problemRowsListTheCodeThenTheWarnings() throws {
        let output = try SnapshotFile.run([
            .primary(1).dead.gtidMode("ON"), .replica(2, of: 1).ioStopped, .replica(3, of: 1).stopped,
        ])
        #expect(output == "127.0.0.1:1 (cluster 127.0.0.1:1): DeadMaster, DifferentGTIDModesStructureWarning\n")
    }

    @Test func downtimedRowsAreHiddenUnlessIncluded() throws {
        let nodes: [Node] = [
            .primary(1).dead.downtimed, .replica(2, of: 1).stopped, .replica(3, of: 1).ioStopped,
            .primary(5), .replica(6, of: 5).stopped.downtimed, .replica(7, of: 5).stopped.downtimed,
            .primary(8), .replica(9, of: 8).dead,
        ]
        #expect(try SnapshotFile.run(nodes) == "127.0.0.1:8 (cluster 127.0.0.1:8): MasterSingleReplicaDead\n")
        #expect(try SnapshotFile.run(nodes, includeDowntimed: true) == """
            127.0.0.1:1 (cluster 127.0.0.1:1): DeadMaster
            127.0.0.1:5 (cluster 127.0.0.1:5): AllMasterReplicasNotReplicating
            127.0.0.1:8 (cluster 127.0.0.1:8): MasterSingleReplicaDead

            """)
    }

    @Test func healthyOrEmptySnapshotsPrintNothing() throws {
        #expect(try SnapshotFile.run([.primary(1), .replica(2, of: 1), .replica(3, of: 1)]) == "")
        #expect(try SnapshotFile.run([.primary(1).downtimed.dead]).isEmpty)
        let empty = try OfflineAnalysis.run(
            snapshotJSON: Data("[]".utf8), includeDowntimed: true, json: false, now: AnalysisSketch.now)
        #expect(empty == "")
    }

    @Test func jsonPrintsEveryRowWithDowntime() throws {
        let nodes: [Node] = [
            .primary(1).dead.downtimed, .replica(2, of: 1).stopped,
            .primary(5), .replica(6, of: 5),
        ]
        let output = try SnapshotFile.run(nodes, json: true)
        #expect(output.hasPrefix("[\n  {\n    \"Analysis\" : \"DeadMaster\",\n    \"AnalyzedInstance"))
        #expect(output.hasSuffix("\n]\n"))
        let rows = try JSONDecoder().decode([ReplicationAnalysis].self, from: Data(output.utf8))
        #expect(rows == AnalysisSketch.analyze(nodes))
        #expect(rows.map(\.analysis) == [.deadMaster, .noProblem])
        #expect(rows[0].isDowntimed && rows[0].skippableDueToDowntime)
        #expect(rows[0].downtimeEndTimestamp == SnapshotFile.downtimeEnd)
        #expect(!rows[1].isDowntimed && !rows[1].skippableDueToDowntime)
        #expect(output.contains("\"IsDowntimed\" : true") && output.contains("\"SkippableDueToDowntime\" : true"))

        let keys = try #require(
            JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]
        ).first.map { Array($0.keys) }
        #expect(keys?.contains("Reasons") == true && keys?.contains("StructureAnalysis") == true)
        let emptyRows = try OfflineAnalysis.run(
            snapshotJSON: Data("[]".utf8), includeDowntimed: false, json: true, now: AnalysisSketch.now)
        #expect(try JSONDecoder().decode([ReplicationAnalysis].self, from: Data(emptyRows.utf8)).isEmpty)
    }

    @Test func jsonKeysAreSorted() throws {
        let output = try SnapshotFile.run([.primary(1).dead], json: true)
        let keys = output.split(separator: "\n").filter { $0.hasPrefix("    \"") }.map {
            $0.dropFirst(5).prefix { $0 != "\"" }
        }
        #expect(keys.count > 40)
        #expect(keys == keys.sorted())
    }
}
