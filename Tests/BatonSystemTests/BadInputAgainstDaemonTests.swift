import BatonCore
import BatonRaft
import BatonTestSupport
import Foundation
import Testing

/// Bad input against a real `baton serve`: broken configuration files, hostile HTTP requests to every route, garbage
/// on the Raft port, a Lua policy that allocates without bound and hooks that print megabytes during a real
/// failover. Each time: a clear error, a daemon that keeps working, nothing lost and nothing invented.
/// (The components' own tests: LuaSandboxTests, HookRunnerTests, RaftTCPTransportTests, HostileRequestTests.)
@Suite(.serialized) struct BadInputAgainstDaemonTests {
    struct SetupFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The seed of every random choice in this suite: `BATON_FUZZ_SEED` replays a run.
    static let seed: UInt64 = {
        let seed = ProcessInfo.processInfo.environment["BATON_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("BadInputAgainstDaemonTests: seed \(seed) (replay with BATON_FUZZ_SEED=\(seed))")
        return seed
    }()

    // MARK: - Configuration files

    struct BrokenConfiguration: Sendable, CustomTestStringConvertible {
        var name: String
        /// The file; `$BASE` becomes a valid ListenAddress and SQLite3DataFile.
        var text: String?
        /// What the output must say.
        var expected: String
        var testDescription: String { name }

        static func text(_ name: String, _ text: String, _ expected: String) -> Self {
            Self(name: name, text: text, expected: expected)
        }
    }

    static let brokenConfigurations: [BrokenConfiguration] = [
        .text("YAML instead of JSON", "ListenAddress: 127.0.0.1:3000\n",
            "the file is not valid JSON: Invalid value around character 0 (line 1, column 1)"),
        .text("truncated JSON", #"{$BASE, "InstancePollSeconds": 5, "Discover"#,
            "the file is not valid JSON: Unexpected end of file"),
        .text("an empty file", "", "the file is not valid JSON: Unexpected end of file"),
        // Foundation reads `FF 00` as the start of UTF-16LE: depending on the random bytes after it, the file fails as
        // text that is not UTF-8 or as JSON that is not valid; either way the message starts like this.
        BrokenConfiguration(name: "binary garbage", text: nil, expected: "the file is not valid JSON: "),
        .text("200,000 nested arrays", String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000),
            "the file is not valid JSON: Too many nested arrays or dictionaries around character 513"),
        .text("an array, not an object", "[1, 2, 3]", "the file must contain one JSON object"),
        .text("a string for a boolean", #"{$BASE, "Debug": "yes"}"#, "configuration key Debug: expected true or false"),
        .text("a string for a list", #"{$BASE, "DiscoverySeeds": "db1:3306"}"#,
            "configuration key DiscoverySeeds: expected an array of strings"),
        .text("a number for an address", #"{"ListenAddress": 3000}"#, "configuration key ListenAddress: expected a string"),
        .text("a fraction for seconds", #"{$BASE, "MySQLConnectTimeoutSeconds": 1.5}"#,
            "configuration key MySQLConnectTimeoutSeconds: expected a whole number"),
        .text("numbers in a list of filters", #"{$BASE, "RecoverMasterClusterFilters": [1, 2]}"#,
            "configuration key RecoverMasterClusterFilters: expected an array of strings"),
        .text("an unknown backend", #"{$BASE, "BackendDB": "mysql"}"#, "configuration key BackendDB: \"mysql\" is not supported"),
        .text("an unknown authentication method", #"{$BASE, "AuthenticationMethod": "kerberos"}"#,
            "configuration key AuthenticationMethod: \"kerberos\" is not one of"),
        .text("an unknown policy failure mode", #"{$BASE, "PolicyFailureMode": "retry"}"#,
            "configuration key PolicyFailureMode: \"retry\" is not one of \"builtin\", \"abort\""),
        .text("an unknown TLS mode", #"{$BASE, "MySQLTopologyTLSMode": "sometimes"}"#,
            "configuration key MySQLTopologyTLSMode: \"sometimes\" is not one of"),
        .text("a negative poll interval", #"{$BASE, "InstancePollSeconds": -5}"#,
            "configuration key InstancePollSeconds: -5 is out of range"),
        .text("a negative hook timeout", #"{$BASE, "HookTimeoutSeconds": -1}"#,
            "configuration key HookTimeoutSeconds: expected a positive number of seconds"),
        .text("a negative recovery block", #"{$BASE, "RecoveryPeriodBlockSeconds": -60}"#,
            "configuration key RecoveryPeriodBlockSeconds: -60 is out of range"),
        .text("a negative policy time limit", #"{$BASE, "PolicyTimeLimitMilliseconds": -1}"#,
            "configuration key PolicyTimeLimitMilliseconds: -1 is out of range"),
        .text("a negative Raft tick", #"{$BASE, "RaftTickMilliseconds": -100}"#,
            "configuration key RaftTickMilliseconds: -100 is out of range"),
        .text("a garbage RaftNodes entry",
            #"{$BASE, "RaftEnabled": true, "RaftDataDir": "$DIR/raft", "RaftBind": "127.0.0.1:1", "RaftNodes": ["127.0.0.1:1", "::::"]}"#,
            "configuration key RaftNodes: \"::::\" is not host:port"),
        .text("a RaftNodes id that is not a number",
            #"{$BASE, "RaftEnabled": true, "RaftDataDir": "$DIR/raft", "RaftBind": "127.0.0.1:1", "RaftNodes": ["127.0.0.1:1", "x@h:1"]}"#,
            "configuration key RaftNodes: \"x@h:1\": the id before @ must be a positive number"),
        .text("a RaftNodes port out of range",
            #"{$BASE, "RaftEnabled": true, "RaftDataDir": "$DIR/raft", "RaftBind": "127.0.0.1:1", "RaftNodes": ["127.0.0.1:1", "h:99999"]}"#,
            "configuration key RaftNodes: \"h:99999\" is not host:port"),
        .text("RaftNodes as an object", #"{$BASE, "RaftEnabled": true, "RaftDataDir": "$DIR/raft", "RaftNodes": {"a": 1}}"#,
            "configuration key RaftNodes: expected an array of strings"),
        .text("a hook that is a number", #"{$BASE, "PreFailoverProcesses": [42]}"#,
            "configuration key PreFailoverProcesses[0]: expected a command string or an object, found a number"),
        .text("a hook that is an array", #"{$BASE, "PreFailoverProcesses": ["echo ok", ["echo", "no"]]}"#,
            "configuration key PreFailoverProcesses[1]: expected a command string or an object, found an array"),
        .text("hooks that are a string", #"{$BASE, "PostFailoverProcesses": "echo hi"}"#,
            "configuration key PostFailoverProcesses: expected an array of command strings or hook objects"),
        .text("a hook object with a numeric command", #"{$BASE, "PreFailoverProcesses": [{"Command": 5}]}"#,
            "configuration key PreFailoverProcesses[0].Command: expected an array of strings or a string"),
        .text("a key set twice", #"{$BASE, "InstancePollSeconds": 5, "Debug": true, "InstancePollSeconds": "often"}"#,
            "configuration key InstancePollSeconds: is set more than once"),
        .text("a password from an unset variable", #"{$BASE, "HTTPAuthPassword": "${BATON_SURELY_NOT_SET_ANYWHERE}"}"#,
            "configuration key HTTPAuthPassword: refers to environment variable BATON_SURELY_NOT_SET_ANYWHERE"),
    ]

    @Test(arguments: brokenConfigurations)
    func aBrokenConfigurationStopsStartUpQuicklyAndSaysWhy(_ broken: BrokenConfiguration) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("baton-badconf-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = ProcessRunner.freePort()
        let base = #""ListenAddress": "127.0.0.1:\#(port)", "SQLite3DataFile": "\#(directory.path)/baton.sqlite3""#
        let contents: [UInt8]
        if let text = broken.text {
            contents = Array(text.replacingOccurrences(of: "$BASE", with: base).replacingOccurrences(of: "$DIR", with: directory.path).utf8)
        } else {
            var random = RaftRandom(seed: Self.seed)
            contents = [0xFF, 0x00] + random.bytes(4096)
        }
        let configPath = directory.appendingPathComponent("baton.conf.json").path
        try Data(contents).write(to: URL(fileURLWithPath: configPath))
        let outputPath = directory.appendingPathComponent("output").path

        let started = ContinuousClock.now
        let child = try ChildProcess(BatonDaemon.binary, ["serve", "--config", configPath], outputPath: outputPath)
        while child.isRunning && ContinuousClock.now - started < .seconds(10) { usleep(20_000) }
        let stillRunning = child.isRunning
        let status = child.terminate(signal: SIGKILL, grace: 1)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(!stillRunning, "baton serve still runs after 10 s with \(broken.name): \(output)")
        #expect(status == 78, "exit status \(status): \(output)")
        #expect(output.contains(broken.expected), "\(output)")
        #expect(output.hasPrefix("baton: configuration"), "the first line says it is the configuration: \(output)")
        #expect(output.utf8.count < 2048, "a short message, not a dump: \(output.prefix(2048))")
        #expect(!output.contains("Fatal error") && !output.contains("Backtrace"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("baton.sqlite3").path),
            "nothing was created from a configuration that was refused")
    }

    // MARK: - Raft port

    /// A frame of the Raft transport (length, version, kind, flags, payload, MAC): well formed, authenticated by
    /// `mac` bytes that are not the HMAC of anything.
    static func frame(version: UInt8 = 1, kind: UInt8, flags: UInt8, payload: [UInt8], mac: [UInt8]) -> [UInt8] {
        let length = UInt32(3 + payload.count + mac.count)
        return withUnsafeBytes(of: length.bigEndian, Array.init) + [version, kind, flags] + payload + mac
    }

    /// A hello's payload: sender and target ids (varints), the sender's address (varint length, bytes).
    static func hello(sender: UInt8, target: UInt8, address: String) -> [UInt8] {
        [sender, target, UInt8(address.utf8.count)] + Array(address.utf8)
    }

    @Test func garbageOnTheRaftPortLeavesTheLeaderLeadingAndWriting() async throws {
        let sandbox = try MariaDBSandbox.start(topology: "1")
        defer { sandbox.tearDown() }
        let raftPort = {
            var port = ProcessRunner.freePort()
            for _ in 0..<20 where port == sandbox.port(1) { port = ProcessRunner.freePort() }
            return port
        }()
        let raftDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("baton-raft-fuzz-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: raftDirectory) }
        let daemon = try BatonDaemon(configuration: sandbox.batonSettings.merging([
            "RaftEnabled": true, "RaftBind": "127.0.0.1:\(raftPort)", "RaftNodes": ["127.0.0.1:\(raftPort)"],
            "RaftDataDir": raftDirectory.path, "RaftSharedSecret": "fuzz-secret", "RaftTickMilliseconds": 50,
        ]) { $1 })
        defer { daemon.tearDown() }
        let api = APICaller(base: daemon.apiURL)
        try #require(await api.waitUntilUp(), "\(daemon.log())")
        var leading = false
        for _ in 0..<300 where !leading {
            leading = (try? await api.get("leader-check"))?.status == 200
            if !leading { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(leading, "\(daemon.log())")
        let (discovered, _) = try await api.get("discover/127.0.0.1/\(sandbox.port(1))")
        try #require(discovered == 200, "\(daemon.log())")

        func raftStatus() async throws -> (term: Int, state: String, commit: Int) {
            let object = try JSONSerialization.jsonObject(with: try await api.get("raft-status").body) as? [String: Any]
            return (object?["Term"] as? Int ?? -1, object?["State"] as? String ?? "", object?["CommitIndex"] as? Int ?? -1)
        }
        let before = try await raftStatus()
        #expect(before.state == "Leader")

        var random = RaftRandom(seed: Self.seed ^ 0x5241_4654)
        let attacks: [(String, [UInt8])] = [
            ("64 KiB of random bytes", random.bytes(64 << 10)),
            ("a length prefix of 4 GiB", [0xFF, 0xFF, 0xFF, 0xFF] + random.bytes(1024)),
            ("a length prefix of 2 GiB", [0x7F, 0xFF, 0xFF, 0xFF] + random.bytes(64)),
            (
                "a hello with a bad HMAC",
                Self.frame(kind: 1, flags: 1, payload: Self.hello(sender: 9, target: 1, address: "127.0.0.1:1"), mac: random.bytes(32))
            ),
            (
                "a message with a bad HMAC",
                Self.frame(kind: 2, flags: 1, payload: random.bytes(40), mac: random.bytes(32))
            ),
            ("a hello without a MAC", Self.frame(kind: 1, flags: 0, payload: Self.hello(sender: 9, target: 1, address: "x:1"), mac: [])),
            ("a frame of version 7", Self.frame(version: 7, kind: 1, flags: 1, payload: random.bytes(20), mac: random.bytes(32))),
            ("a frame of kind 9", Self.frame(kind: 9, flags: 1, payload: random.bytes(20), mac: random.bytes(32))),
            ("a frame with unknown flags", Self.frame(kind: 1, flags: 0xFE, payload: random.bytes(20), mac: random.bytes(32))),
            ("an HTTP request", Array("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
        ]
        for (name, bytes) in attacks {
            let exchange = try await RawTCPClient.exchange(bytes, port: raftPort, timeout: .seconds(10))
            #expect(exchange.closed, "the node keeps a connection open after \(name) (seed \(Self.seed))")
            #expect(exchange.received.isEmpty, "the node answered \(name)")
        }
        // Garbage addresses through the API are refused at once and never become members.
        for address in ["%00", "..%2F", "%20", "a%0Ab", "%E2%98%83", "*", "%22x%22:1"] {
            let (status, body) = try await api.get("raft-add-peer/\(address)")
            #expect(status == 500 && String(decoding: body, as: UTF8.self).contains("is not host:port"),
                "raft-add-peer/\(address): \(status) \(String(decoding: body, as: UTF8.self))")
        }
        #expect(try await api.decode([String].self, "raft-peers") == ["127.0.0.1:\(raftPort)"])

        // 100 connections at once, each with a half-sent frame it never finishes, while the API writes a downtime.
        let seed = Self.seed
        let stalled = Task {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<100 {
                    let bytes = [0x00, 0x00, 0x10, 0x00, 1, 1, 1] + RaftRandom(seed: seed &+ UInt64(index)).prefixBytes(100)
                    group.addTask { try await RawTCPClient.exchange(bytes, port: raftPort, timeout: .seconds(5)).closed }
                }
                var closed = 0
                for try await wasClosed in group where wasClosed { closed += 1 }
                return closed
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let (downtime, body) = try await api.get("begin-downtime/127.0.0.1/\(sandbox.port(1))/ops/after-garbage/1h")
        #expect(downtime == 200, "\(String(decoding: body, as: UTF8.self))")
        let closedByTheNode = try await stalled.value
        print("BadInputAgainstDaemonTests: \(attacks.count) Raft attacks, 100 stalled frames (\(closedByTheNode) closed by the node)")

        let downtimed = try await api.decode([InstanceDocument].self, "downtimed")
        #expect(downtimed.map(\.key) == [sandbox.key(1)])
        #expect(downtimed.first?.downtimeReason == "after-garbage")
        let after = try await raftStatus()
        #expect(after.state == "Leader" && after.term == before.term, "garbage caused an election: \(before) → \(after)")
        #expect(after.commit > before.commit, "the downtime went through the Raft log")
        #expect(try await api.get("leader-check").status == 200)
        #expect(daemon.isRunning)
    }

    // MARK: - A policy and hooks that misbehave during a real failover

    /// The resident memory of `daemon`'s process, in bytes.
    static func residentBytes(of daemon: BatonDaemon) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }

    /// A sandbox and a daemon that recovers it with `policy` and `extra` keys, its topology discovered.
    /// `policy` nil: `PolicyScript` names a file that does not exist.
    func start(_ topology: String, servers: Int, extra: [String: any Sendable], policy: [UInt8]?) async throws
        -> (MariaDBSandbox, BatonDaemon, APICaller)
    {
        let sandbox = try MariaDBSandbox.start(topology: topology)
        var settings = sandbox.batonSettings.merging(extra) { $1 }
        settings["RecoverMasterClusterFilters"] = ["*"]
        let daemon: BatonDaemon
        do {
            let policyPath = FileManager.default.temporaryDirectory.appendingPathComponent("baton-policy-\(UUID().uuidString.prefix(8)).lua")
            if let policy { try Data(policy).write(to: policyPath) }
            settings["PolicyScript"] = policyPath.path
            daemon = try BatonDaemon(configuration: settings)
        } catch {
            sandbox.tearDown()
            throw error
        }
        let api = APICaller(base: daemon.apiURL)
        guard await api.waitUntilUp() else {
            let log = daemon.log()
            daemon.tearDown()
            sandbox.tearDown()
            throw SetupFailure(description: "baton serve did not come up:\n\(log)")
        }
        _ = try await api.get("discover/127.0.0.1/\(sandbox.port(1))")
        let (_, ready) = try await api.poll([InstanceDocument].self, "all-instances") {
            $0.count == servers && $0.allSatisfy(\.isLastCheckValid)
        }
        guard ready else {
            let log = daemon.log()
            daemon.tearDown()
            sandbox.tearDown()
            throw SetupFailure(description: "discovery incomplete:\n\(log)")
        }
        return (sandbox, daemon, api)
    }

    /// Waits for the first recovery to end and returns it with its audit steps.
    func resolvedRecovery(_ api: APICaller) async throws -> (TopologyRecoveryDocument, [String])? {
        let (recoveries, done) = try await api.poll([TopologyRecoveryDocument].self, "audit-recovery", timeout: .seconds(90)) {
            $0.first.map { !$0.recoveryEndTimestamp.isEmpty } ?? false
        }
        guard done, let recovery = recoveries.first else { return nil }
        let steps = try await api.decode([TopologyRecoveryStepDocument].self, "audit-recovery-steps/\(recovery.uid)").map(\.message)
        return (recovery, steps)
    }

    /// Samples the daemon's resident memory every 100 ms until cancelled; returns the largest sample.
    func sampleMemory(of daemon: BatonDaemon) -> Task<Int, Never> {
        Task.detached {
            var largest = 0
            while !Task.isCancelled {
                largest = max(largest, Self.residentBytes(of: daemon) ?? 0)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return largest
        }
    }

    static let memoryHog = """
        function filter(failed, candidates, context)
          local hoard = {}
          while true do hoard[#hoard + 1] = string.rep("x", 1048576) .. #hoard end
        end
        function rank(failed, candidates, context)
          local s, hoard = "x", {}
          while true do s = s .. s; hoard[#hoard + 1] = s end
        end
        """

    @Test func aMemoryHogPolicyAndHooksThatFloodTheirOutputDuringARealFailover() async throws {
        let (sandbox, daemon, api) = try await start(
            "1 2:1 3:1", servers: 3,
            extra: [
                "PolicyFailureMode": "builtin",
                "PreFailoverProcesses": ["head -c 20000000 /dev/urandom"],
                "PostMasterFailoverProcesses": ["echo about to fail; exit 3"],
                "PostFailoverProcesses": ["head -c 50000000 /dev/zero | tr '\\0' x"],
            ],
            policy: Array(Self.memoryHog.utf8))
        defer {
            daemon.tearDown()
            sandbox.tearDown()
        }
        let idle = Self.residentBytes(of: daemon)
        try #require(idle != nil, "the daemon's process is not found under /proc")
        let memory = sampleMemory(of: daemon)

        try sandbox.kill(1)
        let resolved = try await resolvedRecovery(api)
        memory.cancel()
        let peak = await memory.value
        let (recovery, _) = try #require(resolved, "\(daemon.log().suffix(8000))")
        // Post-failover hooks run after the recovery is resolved: wait for theirs to be in the audit.
        let (steps, postHooksAudited) = try await api.poll(
            [TopologyRecoveryStepDocument].self, "audit-recovery-steps/\(recovery.uid)", timeout: .seconds(60)
        ) { $0.contains { $0.message.hasPrefix("PostFailoverProcesses:") } }
        let trail = steps.map(\.message).joined(separator: "\n")
        #expect(postHooksAudited, "\(trail)")
        let messages = steps.map(\.message)

        // The policy failed on its memory cap; PolicyFailureMode builtin let the built-in rules promote.
        #expect(recovery.isSuccessful, "\(trail)")
        #expect(recovery.successorKey == sandbox.key(2), "the built-in order among equals: \(trail)")
        #expect(messages.contains { $0.contains("policy filter failed") && $0.contains("memory_limit") }, "\(trail)")
        #expect(messages.contains { $0.contains("PolicyFailureMode builtin") }, "\(trail)")
        // The hooks ran; the failing one is in the audit, and no hook's output is there in full.
        #expect(messages.contains { $0.contains("PostMasterFailoverProcesses") && $0.contains("exited with status 3") }, "\(trail)")
        #expect(messages.contains { $0.contains("PreFailoverProcesses") && $0.contains("exited with status 0") }, "\(trail)")
        #expect(messages.contains { $0.contains("PostFailoverProcesses") }, "\(trail)")
        #expect(trail.utf8.count < 64 << 10, "the audit holds \(trail.utf8.count) bytes")

        // The daemon's memory and log stayed bounded, and it answers.
        #expect(peak < 1 << 30, "resident memory reached \(peak >> 20) MiB (idle \((idle ?? 0) >> 20) MiB)")
        let logSize = (try? FileManager.default.attributesOfItem(atPath: daemon.logFile.path)[.size] as? Int) ?? -1
        #expect(logSize >= 0 && logSize < 4 << 20, "the daemon's log is \(logSize) bytes")
        #expect(try await api.get("health").status == 200)
        let all = try await api.decode([InstanceDocument].self, "all-instances")
        #expect(all.first { $0.key == sandbox.key(2) }.map { !$0.readOnly } == true, "the promoted server is writable")
        print("BadInputAgainstDaemonTests: failover with a memory hog policy: RSS peak \(peak >> 20) MiB (idle \((idle ?? 0) >> 20) MiB), log \(logSize) bytes")
    }

    @Test func aMemoryHogPolicyUnderPolicyFailureModeAbortLeavesTheServersAlone() async throws {
        let (sandbox, daemon, api) = try await start(
            "1 2:1 3:1", servers: 3, extra: ["PolicyFailureMode": "abort"], policy: Array(Self.memoryHog.utf8))
        defer {
            daemon.tearDown()
            sandbox.tearDown()
        }
        let memory = sampleMemory(of: daemon)
        try sandbox.kill(1)
        // A policy that fails before a recovery is registered refuses it as a blocked recovery that says why.
        let (blocked, refused) = try await api.poll([BlockedRecoveryDocument].self, "blocked-recoveries", timeout: .seconds(60)) {
            $0.contains { $0.failedInstanceKey == sandbox.key(1) }
        }
        memory.cancel()
        let peak = await memory.value
        #expect(refused, "\(daemon.log().suffix(8000))")
        let reason = blocked.first { $0.failedInstanceKey == sandbox.key(1) }?.reason ?? ""
        #expect(reason.contains("memory_limit") && reason.contains("PolicyFailureMode abort"), "\(reason)")
        // Another detection cycle later, still no recovery.
        try await Task.sleep(for: .seconds(3))
        let recoveries = try await api.decode([TopologyRecoveryDocument].self, "audit-recovery")
        #expect(recoveries.allSatisfy { !$0.isAttempted }, "\(recoveries)")
        for server in [2, 3] {
            let readOnly = try sandbox.sql(server, "SELECT @@global.read_only").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(readOnly.hasSuffix("1"), "server \(server) was changed: read_only \(readOnly)")
        }
        #expect(peak < 1 << 30, "resident memory reached \(peak >> 20) MiB")
        #expect(try await api.get("health").status == 200)
    }

    /// A policy file that cannot be loaded: the daemon starts anyway, says so, and recoveries apply PolicyFailureMode.
    @Test(arguments: ["a syntax error", "binary garbage", "a missing file"])
    func aPolicyThatCannotLoadFallsBackToTheBuiltInRulesAndSaysWhy(_ kind: String) async throws {
        var random = RaftRandom(seed: Self.seed)
        let policy: [UInt8]? = switch kind {
        case "a syntax error": Array("function rank(failed, candidates\n  return {}\nend\n".utf8)
        case "binary garbage": [0x1B, 0x4C, 0x75, 0x61] + random.bytes(4096)  // a precompiled-chunk signature, then noise
        default: nil
        }
        let (sandbox, daemon, api) = try await start(
            "1 2:1 3:1", servers: 3, extra: ["PolicyFailureMode": "builtin"], policy: policy)
        defer {
            daemon.tearDown()
            sandbox.tearDown()
        }
        #expect(daemon.log().contains("Policy failed to load"), "\(daemon.log().suffix(4000))")
        let health = try await api.decode(APIResponse<[String: AnyJSON]>.self, "health")
        #expect(health.details?["PolicyHash"] == .string("load-failed"))

        try sandbox.kill(1)
        let (recovery, _) = try #require(try await resolvedRecovery(api), "\(daemon.log().suffix(8000))")
        let steps = try await api.decode([TopologyRecoveryStepDocument].self, "audit-recovery-steps/\(recovery.uid)").map(\.message)
        #expect(recovery.isSuccessful && recovery.successorKey == sandbox.key(2), "\(steps)")
        #expect(steps.contains { $0.contains("failed to load") && $0.contains("PolicyFailureMode builtin") }, "\(steps)")
        #expect(recovery.policyHash == "load-failed")
    }
}

/// Any JSON value, to read a few fields of a document without its type.
enum AnyJSON: Codable, Sendable, Equatable {
    case string(String)
    case other

    init(from decoder: any Decoder) throws {
        self = (try? decoder.singleValueContainer().decode(String.self)).map(AnyJSON.string) ?? .other
    }

    func encode(to encoder: any Encoder) throws {}
}

