import BatonCore
import BatonMySQL
import BatonTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 5's conformance test: the same probe against a real MariaDB sandbox and against simulated servers
/// configured to match it (same version, same roles) must parse to the same facts, wherever facts need not differ
/// (UUIDs, exact GTIDs and positions do).
@Suite(.serialized, .enabled(if: RealMariaDB.isInstalled, "mariadbd is not installed (scripts/lib/install-deps.sh installs it)"))
struct MariaDBConformanceTests {

    enum Role: String, CaseIterable {
        case primary, intermediate, leaf
    }

    typealias RecordingSession = RecordingProbeSession

    struct Probe {
        var facts: InstanceFacts
        var exchanges: [RecordingSession.Exchange]
    }

    func probe(_ key: InstanceKey) async throws -> Probe {
        let connection = try await FleetClient.connect(key)
        let session = RecordingSession(connection)
        let outcome = await InstanceProber(options: .init(discoverByShowReplicaHosts: true)).probe(session)
        await connection.close()
        guard let facts = outcome.facts, outcome.error == nil else {
            throw MySQLError(code: .protocolViolation, message: "probe of \(key) failed: \(String(describing: outcome.error))")
        }
        return Probe(facts: facts, exchanges: session.exchanges.withLock { $0 })
    }

    /// The facts of one server that must agree between a real server and its simulation, with keys replaced by
    /// roles. Values that must differ are reduced to their shape (present, empty, positive, pattern).
    static func comparable(_ facts: InstanceFacts, roles: [InstanceKey: Role]) -> [String: String] {
        func role(_ key: InstanceKey) -> String { roles[key]?.rawValue ?? "unknown \(key)" }
        func shape(_ text: String) -> String {
            if text.isEmpty { return "empty" }
            return text.split(separator: ",").allSatisfy { $0.split(separator: "-").count == 3 } ? "domain-server-seq" : "other"
        }
        var view: [String: String] = [
            "serverID>0": "\(facts.serverID > 0)",
            "serverUUID": facts.serverUUID.isEmpty ? "empty" : "present",
            "reportedHostname": facts.reportedHostname.isEmpty ? "empty" : "present",
            "reportHost": facts.reportHost,
            "flavor": facts.version?.flavor.rawValue ?? "nil",
            "majorVersion": facts.version?.majorVersion ?? "nil",
            "versionComment": facts.versionComment.isEmpty ? "empty" : "present",
            "readOnly": "\(facts.readOnly)",
            "superReadOnly": "\(facts.superReadOnly)",
            "logBin": "\(facts.logBinEnabled)",
            "logReplicaUpdates": "\(facts.logReplicaUpdatesEnabled)",
            "binlogFormat": facts.binlogFormat,
            "binlogRowImage": facts.binlogRowImage,
            "binlogFile": String(facts.binlogFile.split(separator: ".").first ?? "") + ".NNNNNN",
            "binlogPosition>0": "\(facts.binlogPosition > 0)",
            "gtidMode": facts.gtidMode,
            "executedGTIDSet": shape(facts.executedGTIDSet),
            "gtidPurged": facts.gtidPurged,
            "mariaDBGTIDBinlogPos": shape(facts.mariaDBGTIDBinlogPos),
            "mariaDBGTIDReplicaPos": shape(facts.mariaDBGTIDReplicaPos),
            "semiSync": "\(facts.semiSync)",
            "replicaKeys": facts.replicaKeys.map(role).sorted().joined(separator: ","),
            "uptime>=0": "\(facts.uptimeSeconds >= 0)",
            "replication": facts.replication == nil ? "none" : "present",
        ]
        if let replication = facts.replication {
            view["source"] = role(replication.sourceKey)
            view["sourceUUID"] = replication.sourceUUID.isEmpty ? "empty" : "present"
            view["ioThread"] = "\(replication.ioThread)"
            view["sqlThread"] = "\(replication.sqlThread)"
            view["ioState"] = replication.ioState
            view["lastIOErrorNumber"] = "\(replication.lastIOErrorNumber)"
            view["lastIOError"] = replication.lastIOError.isEmpty ? "empty" : "present"
            view["lastSQLErrorNumber"] = "\(replication.lastSQLErrorNumber)"
            view["lastSQLError"] = replication.lastSQLError
            view["secondsBehindSource"] = replication.secondsBehindSource.map { _ in "present" } ?? "NULL"
            view["sqlDelaySeconds"] = "\(replication.sqlDelaySeconds)"
            view["readSourceLogFile"] = replication.readSourceLogFile.isEmpty ? "empty" : "present"
            view["readSourceLogPosition>0"] = "\(replication.readSourceLogPosition > 0)"
            view["execSourceLogFile"] = replication.execSourceLogFile.isEmpty ? "empty" : "present"
            view["relayLogApplied"] = "\(replication.readSourceLogFile == replication.execSourceLogFile && replication.readSourceLogPosition == replication.execSourceLogPosition)"
            view["relayLogFile"] = replication.relayLogFile.isEmpty ? "empty" : "present"
            view["usingGTID"] = replication.usingGTID
            view["retrievedGTIDSet"] = shape(replication.retrievedGTIDSet)
            view["hasReplicationFilters"] = "\(replication.hasReplicationFilters)"
        }
        return view
    }

    func expectSame(_ real: [String: String], _ simulated: [String: String], _ what: String) {
        for field in Set(real.keys).union(simulated.keys).sorted() {
            #expect(real[field] == simulated[field], "\(what) \(field): real \(real[field] ?? "-"), simulated \(simulated[field] ?? "-")")
        }
    }

    @Test func theSameProbeParsesToTheSameFactsOnARealAndASimulatedTopology() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1 2:1 3:2")
        defer { sandbox.tearDown() }
        let realKeys: [Role: InstanceKey] = [.primary: sandbox.key(1), .intermediate: sandbox.key(2), .leaf: sandbox.key(3)]
        let realVersion = try await probe(sandbox.key(1)).facts

        let topology = FleetTopology(clusters: [
            .init(
                name: "conformance", flavor: .mariadb, version: realVersion.version?.raw,
                instances: [
                    .init(name: "s1", versionComment: realVersion.versionComment, initialTransactions: 8),
                    .init(name: "s2", source: "s1", versionComment: realVersion.versionComment),
                    .init(name: "s3", source: "s2", versionComment: realVersion.versionComment),
                ])
        ])
        try await SimulatedFleet.with(topology) { fleet in
            let simulatedKeys: [Role: InstanceKey] = [
                .primary: try #require(fleet.key("s1")), .intermediate: try #require(fleet.key("s2")),
                .leaf: try #require(fleet.key("s3")),
            ]
            let realRoles = Dictionary(uniqueKeysWithValues: realKeys.map { ($0.value, $0.key) })
            let simulatedRoles = Dictionary(uniqueKeysWithValues: simulatedKeys.map { ($0.value, $0.key) })

            for role in Role.allCases {
                let real = try await probe(realKeys[role]!)
                let simulated = try await probe(simulatedKeys[role]!)
                expectSame(
                    Self.comparable(real.facts, roles: realRoles), Self.comparable(simulated.facts, roles: simulatedRoles),
                    "\(role)")
                // The raw exchanges too: the same statements, the same columns, the same variable names.
                #expect(real.exchanges.map(\.sql) == simulated.exchanges.map(\.sql), "\(role): statements")
                for (r, s) in zip(real.exchanges, simulated.exchanges) {
                    #expect(r.columns == s.columns, "\(role) \(r.sql.prefix(40)): columns")
                    #expect(r.names == s.names, "\(role) \(r.sql.prefix(40)): variable names")
                    #expect(r.failed == s.failed, "\(role) \(r.sql.prefix(40)): failure")
                }
            }

            // The intermediate primary dies: the leaf reports the lost source the same way.
            try sandbox.kill(2)
            try await fleet.kill(simulatedKeys[.intermediate]!)
            // A real replica may show 2013 (connection lost) for a moment before its first reconnect fails with
            // 2003; the simulator goes straight to the settled state.
            var realLeaf = try await probe(realKeys[.leaf]!).facts
            for _ in 0..<100 where realLeaf.replication?.lastIOErrorNumber != 2003 {
                try await Task.sleep(for: .milliseconds(100))
                realLeaf = try await probe(realKeys[.leaf]!).facts
            }
            let simulatedLeaf = try await probe(simulatedKeys[.leaf]!).facts
            expectSame(
                Self.comparable(realLeaf, roles: realRoles), Self.comparable(simulatedLeaf, roles: simulatedRoles),
                "leaf after its source died")
            #expect(simulatedLeaf.replication?.lastIOErrorNumber == 2003)
        }
    }
}

/// Records what the prober sent and what came back.
final class RecordingProbeSession: ProbeSession {
    struct Exchange: Sendable {
        var sql: String
        var columns: [String]
        var names: [String]
        var failed: Bool
    }

    let connection: MySQLConnection
    let exchanges = Mutex<[Exchange]>([])

    init(_ connection: MySQLConnection) { self.connection = connection }

    func rows(_ sql: String) async throws -> [ProbeRow] {
        do {
            let result = try await connection.query(sql)
            let names = result.columnNames.first == "Variable_name" ? result.rows.compactMap { $0[0] }.sorted() : []
            exchanges.withLock { $0.append(Exchange(sql: sql, columns: result.columnNames, names: names, failed: false)) }
            return result.rows.map { ProbeRow(columns: result.columnNames, values: $0.values) }
        } catch {
            exchanges.withLock { $0.append(Exchange(sql: sql, columns: [], names: [], failed: true)) }
            throw error
        }
    }
}

/// Whether a real MariaDB server can be started here.
enum RealMariaDB {
    static var isInstalled: Bool {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/local/sbin:/sbin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/mariadbd") }
    }
}
