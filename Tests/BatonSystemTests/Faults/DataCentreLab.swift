import BatonCore
import BatonTestSupport
import Foundation
import Testing

/// Real MariaDB servers and three `baton serve` nodes (one Raft group) spread over the data centres of a
/// `NetworkLab`, for the fault-injection scenarios. Every node runs the same hooks, each writing to its own file, so
/// a test can tell which node ran what.
final class DataCentreLab {
    struct SetupFailure: Error, CustomStringConvertible {
        var description: String
    }

    struct Node {
        var daemon: BatonDaemon
        var api: APICaller
        var centre: Int
        var raftAddress: String
        var hookLog: URL
        var settings: [String: any Sendable]

        /// The hooks this node ran, one line each.
        func hookLines() -> [String] {
            ((try? String(contentsOf: hookLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// "Leader", "Follower", "Candidate"… or nil when the node does not answer.
        func raftState() async -> String? {
            try? await api.decode(String.self, "raft-state")
        }

        func leads() async -> Bool {
            guard let (status, _) = try? await api.get("leader-check") else { return false }
            return status == 200
        }
    }

    /// A layout: where each MariaDB server and each Baton node lives.
    struct Layout {
        /// scripts/sandbox topology, e.g. "1 2:1 3:1 4:1 5:1".
        var topology: String
        /// Server number → data centre.
        var servers: [Int: Int]
        /// Data centre of Baton node 1, 2, 3.
        var nodes: [Int]
        var dataCentres: Int { max(servers.values.max() ?? 1, nodes.max() ?? 1) }
    }

    static let httpPort = 3000
    static let raftPort = 10008

    let lab: NetworkLab
    let sandbox: MariaDBSandbox
    private(set) var nodes: [Node]
    let layout: Layout
    let root: URL

    private init(lab: NetworkLab, sandbox: MariaDBSandbox, nodes: [Node], layout: Layout, root: URL) {
        self.lab = lab
        self.sandbox = sandbox
        self.nodes = nodes
        self.layout = layout
        self.root = root
    }

    /// Builds the lab, starts the servers in their data centres, then the three nodes; waits for one leader.
    /// `prepare` runs on the lab's root folder before the nodes start (node N's Raft data lives in `raft-N`).
    static func start(
        _ layout: Layout, extra: [String: any Sendable] = [:], prepare: (URL) throws -> Void = { _ in }
    ) async throws -> DataCentreLab {
        let lab = try NetworkLab.create(dataCentres: layout.dataCentres)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("baton-faults-\(lab.id)")
        var sandbox: MariaDBSandbox?
        var nodes: [Node] = []
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try prepare(root)
            sandbox = try MariaDBSandbox.start(
                topology: layout.topology,
                placement: layout.servers.mapValues { (lab.dataCentre($0).namespace, lab.dataCentre($0).address) })
            let raftAddresses = layout.nodes.map { "\(lab.dataCentre($0).address):\(raftPort)" }
            for (index, centre) in layout.nodes.enumerated() {
                let hookLog = root.appendingPathComponent("node\(index + 1)-hooks.log")
                var settings = sandbox!.batonSettings
                settings["RecoverMasterClusterFilters"] = ["*"]
                settings["RaftEnabled"] = true
                settings["RaftBind"] = raftAddresses[index]
                settings["RaftNodes"] = raftAddresses
                settings["RaftDataDir"] = root.appendingPathComponent("raft-\(index + 1)").path
                settings["RaftSharedSecret"] = "fault-injection lab"
                settings["RaftTickMilliseconds"] = 100
                settings["PolicyScript"] = ProcessRunner.packageRoot.appendingPathComponent("policies/prefer-same-datacenter.lua").path
                settings["OnFailureDetectionProcesses"] = ["echo detection {failureType} {failedHost}:{failedPort} >> \(hookLog.path)"]
                settings["PreFailoverProcesses"] = ["echo pre-failover {failedHost}:{failedPort} >> \(hookLog.path)"]
                settings["PostFailoverProcesses"] = [
                    "echo post-failover {failedHost}:{failedPort} {successorHost}:{successorPort} >> \(hookLog.path)",
                ]
                for (key, value) in extra { settings[key] = value }
                let daemon = try BatonDaemon(
                    configuration: settings, directory: root.appendingPathComponent("node\(index + 1)"), port: httpPort,
                    host: lab.dataCentre(centre).address, namespace: lab.dataCentre(centre).namespace)
                nodes.append(Node(
                    daemon: daemon, api: APICaller(base: daemon.apiURL), centre: centre,
                    raftAddress: raftAddresses[index], hookLog: hookLog, settings: settings))
            }
        } catch {
            for node in nodes { node.daemon.tearDown() }
            sandbox?.tearDown()
            lab.tearDown()
            unmountAll(under: root)
            try? FileManager.default.removeItem(at: root)
            throw error
        }
        let built = DataCentreLab(lab: lab, sandbox: sandbox!, nodes: nodes, layout: layout, root: root)
        for node in nodes where !(await node.api.waitUntilUp()) {
            let logs = built.logs()
            built.tearDown()
            throw SetupFailure(description: "node in DC\(node.centre) did not come up:\n\(logs)")
        }
        return built
    }

    /// Starts node `index` again in its data centre, on its directory, with `changes` applied to its settings
    /// (a key mapped to `NSNull()` is removed). Waits until it answers.
    func restart(_ index: Int, changes: [String: any Sendable] = [:]) async throws {
        var node = nodes[index]
        node.daemon.terminate()
        for (key, value) in changes {
            if value is NSNull { node.settings[key] = nil } else { node.settings[key] = value }
        }
        let centre = lab.dataCentre(node.centre)
        node.daemon = try BatonDaemon(
            configuration: node.settings, directory: node.daemon.directory, port: Self.httpPort, host: centre.address,
            namespace: centre.namespace)
        nodes[index] = node
        guard await node.api.waitUntilUp() else {
            throw SetupFailure(description: "node \(index + 1) did not come back:\n\(logs())")
        }
    }

    func tearDown() {
        for node in nodes { node.daemon.tearDown() }
        sandbox.tearDown()
        lab.tearDown()
        Self.unmountAll(under: root)
        try? FileManager.default.removeItem(at: root)
    }

    /// Unmounts what a test mounted under `root` (e.g. a small tmpfs to fill up).
    static func unmountAll(under root: URL) {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 1, fields[1].hasPrefix(root.path + "/") else { continue }
            _ = try? ProcessRunner.run("/bin/umount", ["-l", String(fields[1])])
        }
    }

    func logs(lines: Int = 60) -> String {
        nodes.enumerated().map { index, node in
            let tail = node.daemon.log().split(separator: "\n").suffix(lines).joined(separator: "\n")
            return "== node \(index + 1) (DC\(node.centre), \(node.raftAddress))\n\(tail)"
        }.joined(separator: "\n") + "\n== rules\n" + lab.rules()
    }

    /// The indexes of the nodes whose `leader-check` answers 200, among `among`.
    func leaders(among: [Int]? = nil) async -> [Int] {
        var found: [Int] = []
        for index in among ?? Array(nodes.indices) where await nodes[index].leads() { found.append(index) }
        return found
    }

    /// Waits until exactly one of `among` leads, and returns it.
    func waitForLeader(among: [Int]? = nil, timeout: Duration = .seconds(30)) async throws -> Int? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let found = await leaders(among: among)
            if found.count == 1 { return found[0] }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Polls until node `index` neither reports `Leader` in `raft-state` nor answers `leader-check` with 200; returns
    /// how long after `start` that was, or nil when it still leads `bound` after `start`.
    func waitUntilNotLeading(
        _ index: Int, since start: ContinuousClock.Instant, bound: Duration
    ) async throws -> Duration? {
        let clock = ContinuousClock()
        while clock.now - start < bound {
            if await nodes[index].raftState() != "Leader", !(await nodes[index].leads()) { return clock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Moves leadership to node `index` (raft-yield on the current leader).
    func makeLeader(_ index: Int) async throws {
        for _ in 0..<5 {
            guard let leader = try await waitForLeader() else { break }
            if leader == index { return }
            _ = try? await nodes[leader].api.get("raft-yield/\(nodes[index].raftAddress)")
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while clock.now < deadline {
                if await nodes[index].leads() { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw SetupFailure(description: "node \(index + 1) did not become the leader:\n\(logs())")
    }

    /// Discovers the topology through the leader and waits until every node watches all of it, healthy.
    func discoverAndWait(primary: Int) async throws {
        let servers = layout.servers.count
        let leader = try await waitForLeader()
        guard let leader else { throw SetupFailure(description: "no leader:\n\(logs())") }
        let (status, body) = try await nodes[leader].api.get("discover/\(sandbox.host(primary))/\(sandbox.port(primary))")
        guard status == 200 else {
            throw SetupFailure(description: "discover answered \(status): \(String(decoding: body, as: UTF8.self))")
        }
        for (index, node) in nodes.enumerated() {
            let (all, ready) = try await node.api.poll([InstanceDocument].self, "all-instances", timeout: .seconds(60)) {
                $0.count == servers && $0.allSatisfy(\.isLastCheckValid)
            }
            guard ready else {
                throw SetupFailure(description: "node \(index + 1) watches \(all.map(\.key)):\n\(logs())")
            }
        }
    }

    /// Writes a marker on server `source` and waits until every server of `replicas` has it.
    func expectReplicates(from source: Int, to replicas: [Int], run: Int) async throws {
        let marker = "fault_\(UUID().uuidString.prefix(8).lowercased())"
        var written = false
        for _ in 0..<100 where !written {
            written = (try? sandbox.sql(source, "CREATE DATABASE \(marker)")) != nil
            if !written { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(written, "run \(run): server \(source) does not take writes")
        for replica in replicas {
            var arrived = false
            for _ in 0..<150 where !arrived {
                arrived = ((try? sandbox.sql(replica, "SHOW DATABASES LIKE '\(marker)'")) ?? "").contains(marker)
                if !arrived { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(arrived, "run \(run): server \(replica) does not replicate from server \(source):\n\(logs())")
        }
    }

    /// The recoveries a node holds (its replicated audit).
    func recoveries(on index: Int) async -> [TopologyRecoveryDocument]? {
        try? await nodes[index].api.decode([TopologyRecoveryDocument].self, "audit-recovery")
    }

    /// The number of lines in each node's log now, to look only at what it logs after a moment.
    func logOffsets() -> [Int] {
        nodes.map { $0.daemon.log().split(separator: "\n", omittingEmptySubsequences: false).count }
    }

    /// The lines node `index` logged after `offset`.
    func log(of index: Int, after offset: Int) -> [Substring] {
        Array(nodes[index].daemon.log().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(offset))
    }
}

/// How many times a scenario runs: `BATON_FAULT_RUNS` (default 1); the reliability report runs them 20 times.
enum FaultRuns {
    static var count: Int {
        max(1, Int(ProcessInfo.processInfo.environment["BATON_FAULT_RUNS"] ?? "") ?? 1)
    }

    /// Appends one observation to `BATON_FAULT_REPORT` (JSON lines) when set, and prints it.
    static func record(_ fields: [String: any Sendable]) {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        let line = String(decoding: data, as: UTF8.self)
        print("fault-report: \(line)")
        guard let path = ProcessInfo.processInfo.environment["BATON_FAULT_REPORT"] else { return }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            try? handle.close()
        }
    }
}
