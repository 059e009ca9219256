import NIOCore
import NIOEmbedded
import Testing

@testable import BatonMySQL

/// Corrupted server streams must end every connect and command in a result or a MySQLError: never a crash,
/// never a promise left pending once the input ends and the socket closes.
@Suite("Wire fuzzing")
struct WireFuzzTests {
    /// One valid conversation: server bytes for the handshake, then for one command, and the client's settings.
    struct Scenario {
        var name: String
        var password: String = "secret"
        var handshake: ByteBuffer
        var command: MySQLCommand = .query("SELECT 1")
        var response: ByteBuffer
    }

    static let scenarios: [Scenario] = {
        var result: [Scenario] = []
        let classic = WireServerScript.defaultCapabilities.subtracting(.deprecateEOF)

        var handshake = WireServerScript()
        handshake.greeting()
        handshake.ok()
        var response = WireServerScript()
        response.command()
        response.resultSet(columns: ["@@version", "NULL", "1"], rows: [["8.0.36", nil, "1"], ["x", "", nil]])
        result.append(Scenario(name: "native + result set", handshake: handshake.bytes, response: response.bytes))

        handshake = WireServerScript(capabilities: classic)
        handshake.greeting(plugin: MySQLAuthPlugin.cachingSHA2Password)
        handshake.authMoreData(MySQLAuthMoreData.fastAuthSuccess)
        handshake.ok()
        response = WireServerScript(capabilities: classic)
        response.command()
        response.resultSet(columns: ["Variable_name", "Value"], rows: [["gtid_mode", "ON"], ["gtid_executed", "uuid:1-100"]])
        result.append(Scenario(name: "sha2 fast + classic EOF", handshake: handshake.bytes, response: response.bytes))

        handshake = WireServerScript()
        handshake.greeting(plugin: MySQLAuthPlugin.cachingSHA2Password)
        handshake.authSwitch(to: MySQLAuthPlugin.nativePassword)
        handshake.ok()
        response = WireServerScript()
        response.command()
        response.err(1146, "42S02", "Table doesn't exist")
        result.append(Scenario(name: "auth switch + ERR", handshake: handshake.bytes, response: response.bytes))

        handshake = WireServerScript()
        handshake.greeting()
        handshake.ok()
        response = WireServerScript()
        response.command()
        response.ok(affectedRows: 3, info: "Rows matched: 3")
        result.append(Scenario(name: "ping OK", handshake: handshake.bytes, command: .ping, response: response.bytes))

        handshake = WireServerScript()
        handshake.greeting()
        handshake.err(1045, "28000", "Access denied")
        result.append(Scenario(name: "access denied", handshake: handshake.bytes, response: ByteBuffer()))

        handshake = WireServerScript()
        handshake.greeting()
        handshake.ok()
        response = WireServerScript()
        response.command()
        response.resultSet(columns: ["a"], rows: [["1"]], status: [.autocommit, .moreResultsExist])
        response.ok()
        result.append(Scenario(name: "multi results", handshake: handshake.bytes, response: response.bytes))

        handshake = WireServerScript()
        handshake.greeting(plugin: "client_ed25519")
        handshake.authSwitch(to: MySQLAuthPlugin.cachingSHA2Password)
        handshake.authMoreData(MySQLAuthMoreData.performFullAuthentication)
        result.append(Scenario(name: "full auth without TLS", password: "", handshake: handshake.bytes, response: ByteBuffer()))
        return result
    }()

    /// Applies 1–4 random corruptions: bit flips, byte overwrites, insertions, deletions, truncation,
    /// duplication, or a random 3-byte length at a random place.
    static func corrupt(_ input: ByteBuffer, using rng: inout SplitMix64) -> ByteBuffer {
        var bytes = Array(buffer: input)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !bytes.isEmpty:
                bytes[position] = UInt8.random(in: 0...255, using: &rng)
            case 2:
                let count = Int.random(in: 1...8, using: &rng)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: position)
            case 3 where !bytes.isEmpty:
                let count = min(Int.random(in: 1...8, using: &rng), bytes.count - position)
                bytes.removeSubrange(position..<(position + count))
            case 4:
                bytes = Array(bytes.prefix(position))
            case 5 where !bytes.isEmpty:
                let count = min(Int.random(in: 1...16, using: &rng), bytes.count - position)
                bytes.insert(contentsOf: bytes[position..<(position + count)], at: position)
            default:
                let length = UInt32.random(in: 0...0xFF_FFFF, using: &rng)
                let header = [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length >> 16)]
                if bytes.count >= position + 3 {
                    bytes.replaceSubrange(position..<(position + 3), with: header)
                } else {
                    bytes.append(contentsOf: header)
                }
            }
        }
        return ByteBuffer(bytes: bytes)
    }

    /// Feeds `bytes` in random chunk sizes.
    static func feed(_ bytes: ByteBuffer, to harness: WireHarness, using rng: inout SplitMix64) {
        var remaining = bytes
        while remaining.readableBytes > 0, harness.channel.isActive {
            let size = Int.random(in: 1...max(1, remaining.readableBytes), using: &rng)
            if let chunk = remaining.readSlice(length: size) {
                harness.feed(chunk)
            }
        }
    }

    enum Outcome: Hashable {
        case success
        case error(String)
    }

    /// Runs one seeded case and returns how the handshake and command ended.
    static func runCase(seed: UInt64) throws -> (handshake: Outcome, command: Outcome?) {
        var rng = SplitMix64(seed: seed)
        let scenario = Self.scenarios[Int(seed % UInt64(Self.scenarios.count))]
        var handshakeBytes = scenario.handshake
        var responseBytes = scenario.response
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: handshakeBytes = Self.corrupt(handshakeBytes, using: &rng)
        case 1: responseBytes = Self.corrupt(responseBytes, using: &rng)
        default:
            handshakeBytes = Self.corrupt(handshakeBytes, using: &rng)
            responseBytes = Self.corrupt(responseBytes, using: &rng)
        }
        let harness = try WireHarness(password: scenario.password, maxPacketSize: 64 * 1024)
        Self.feed(handshakeBytes, to: harness, using: &rng)

        var command: EventLoopFuture<MySQLQueryResult>?
        if case .success = harness.handshake.futureResult.completedResult {
            command = harness.send(scenario.command)
            Self.feed(responseBytes, to: harness, using: &rng)
        }

        // A failure that is not a plain server ERR answer to a command must have closed the connection.
        if case .failure = harness.handshake.futureResult.completedResult {
            #expect(!harness.channel.isActive, "seed \(seed): failed handshake left the channel open")
        }
        if let error = mysqlError(command?.completedResult), error.code != .serverError {
            #expect(!harness.channel.isActive, "seed \(seed): fatal command error left the channel open")
        }

        // End of input: the server goes away. Everything must be settled now.
        harness.serverCloses()
        let handshakeResult = try #require(harness.handshake.futureResult.completedResult, "seed \(seed): handshake pending")
        let handshakeOutcome = try Self.outcome(handshakeResult, seed: seed)
        guard let command else {
            return (handshakeOutcome, nil)
        }
        let commandResult = try #require(command.completedResult, "seed \(seed): command pending")
        #expect(harness.closeReasons.count == 1, "seed \(seed): close not reported exactly once")
        return (handshakeOutcome, try Self.outcome(commandResult, seed: seed))
    }

    static func outcome<T>(_ result: Result<T, any Error>, seed: UInt64) throws -> Outcome {
        switch result {
        case .success:
            return .success
        case .failure(let error):
            let mysql = try #require(error as? MySQLError, "seed \(seed): non-MySQLError \(error)")
            return .error(mysql.code.rawValue)
        }
    }

    @Test func tenThousandCorruptedStreamsEndInAResultOrAnError() throws {
        var outcomes: [Outcome: Int] = [:]
        for seed in UInt64(0)..<10_000 {
            let (handshake, command) = try Self.runCase(seed: seed &* 0x9E37_79B9 &+ 1)
            outcomes[command ?? handshake, default: 0] += 1
        }
        // The corpus must reach both successes and a variety of error paths, or the fuzzer is not fuzzing.
        #expect(outcomes[.success, default: 0] > 0)
        #expect(outcomes.keys.count >= 5)
    }

    @Test func casesAreDeterministicPerSeed() throws {
        for seed: UInt64 in [1, 2, 3, 12_345, 99_999] {
            let first = try Self.runCase(seed: seed)
            let second = try Self.runCase(seed: seed)
            #expect(first.handshake == second.handshake)
            #expect(first.command == second.command)
        }
    }

    @Test func uncorruptedScenariosBehaveAsScripted() throws {
        for scenario in Self.scenarios {
            let harness = try WireHarness(password: scenario.password)
            harness.feed(scenario.handshake)
            if case .success = harness.handshake.futureResult.completedResult {
                let command = harness.send(scenario.command)
                harness.feed(scenario.response)
                #expect(command.completedResult != nil, "\(scenario.name)")
            } else {
                #expect(harness.handshake.futureResult.completedResult != nil, "\(scenario.name)")
            }
        }
    }
}
