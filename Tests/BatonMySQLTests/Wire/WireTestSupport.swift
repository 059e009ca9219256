import Logging
import Testing
import NIOCore
import NIOEmbedded
import Synchronization

@testable import BatonMySQL

/// Deterministic 64-bit generator (SplitMix64) so every fuzz case can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds server-side byte streams with the module's own server encoders.
struct WireServerScript {
    static let nonce: [UInt8] = Array(1...20)
    static let defaultCapabilities: MySQLCapabilities = [
        .longPassword, .longFlag, .connectWithDB, .protocol41, .secureConnection, .transactions,
        .multiResults, .pluginAuth, .pluginAuthLengthEncodedClientData, .deprecateEOF, .ssl,
    ]

    var capabilities: MySQLCapabilities = WireServerScript.defaultCapabilities
    var bytes = ByteBuffer()
    var sequenceID: UInt8 = 0

    init(capabilities: MySQLCapabilities = WireServerScript.defaultCapabilities) {
        self.capabilities = capabilities
    }

    /// Appends a packet with the next sequence id (and skips one id for the client's answer unless told not to).
    mutating func packet(_ write: (inout ByteBuffer) -> Void, clientAnswers: Bool = true) {
        var payload = ByteBuffer()
        write(&payload)
        let packet = MySQLPacket(sequenceID: self.sequenceID, payload: payload)
        MySQLPacketEncoder.write(packet, into: &self.bytes)
        self.sequenceID = packet.lastSequenceID &+ (clientAnswers ? 2 : 1)
    }

    mutating func greeting(plugin: String = MySQLAuthPlugin.nativePassword, version: String = "8.0.36") {
        let greeting = MySQLHandshakeV10(
            serverVersion: version,
            connectionID: 42,
            authPluginData: Self.nonce,
            capabilities: self.capabilities,
            authPluginName: plugin
        )
        self.packet { greeting.encode(into: &$0) }
    }

    mutating func ok(affectedRows: UInt64 = 0, status: MySQLServerStatus = .autocommit, clientAnswers: Bool = false, info: String = "") {
        let caps = self.capabilities
        self.packet({ MySQLOKPacket(affectedRows: affectedRows, statusFlags: status, info: info).encode(into: &$0, capabilities: caps) }, clientAnswers: clientAnswers)
    }

    mutating func err(_ number: UInt16, _ state: String = "HY000", _ message: String) {
        self.packet({ MySQLERRPacket(errorNumber: number, sqlState: state, message: message).encode(into: &$0) }, clientAnswers: false)
    }

    mutating func authSwitch(to plugin: String, nonce: [UInt8] = Array(21...40)) {
        self.packet { MySQLAuthSwitchRequest(pluginName: plugin, pluginData: nonce).encode(into: &$0) }
    }

    mutating func authMoreData(_ byte: UInt8, clientAnswers: Bool = false) {
        self.packet({ MySQLAuthMoreData(data: [byte]).encode(into: &$0) }, clientAnswers: clientAnswers)
    }

    /// A text result set; uses OK-with-0xFE or EOF packets according to the capabilities.
    mutating func resultSet(columns: [String], rows: [[String?]], status: MySQLServerStatus = .autocommit) {
        let caps = self.capabilities
        self.packet({ MySQLColumnCount.encode(columns.count, into: &$0) }, clientAnswers: false)
        for name in columns {
            self.packet({ MySQLColumnDefinition(name: name).encode(into: &$0) }, clientAnswers: false)
        }
        if !caps.contains(.deprecateEOF) {
            self.packet({ MySQLEOFPacket(statusFlags: status).encode(into: &$0, capabilities: caps) }, clientAnswers: false)
        }
        for row in rows {
            self.packet({ MySQLTextRow(values: row).encode(into: &$0) }, clientAnswers: false)
        }
        if caps.contains(.deprecateEOF) {
            self.packet({ MySQLOKPacket(header: 0xFE, statusFlags: status).encode(into: &$0, capabilities: caps) }, clientAnswers: false)
        } else {
            self.packet({ MySQLEOFPacket(statusFlags: status).encode(into: &$0, capabilities: caps) }, clientAnswers: false)
        }
    }

    /// Starts a new command phase: the client's command has sequence id 0, the server answers with 1.
    mutating func command() {
        self.sequenceID = 1
    }
}

/// A client pipeline on an EmbeddedChannel: decoder, encoder, handler, with the connect and command promises.
final class WireHarness {
    let channel: EmbeddedChannel
    let handshake: EventLoopPromise<MySQLConnectionStateMachine.Session>
    let closeNotifier = MySQLCloseNotifier()
    private let closeReasonsBox = WireLockedBox<[MySQLError?]>([])

    /// The reasons passed to close callbacks so far (at most one).
    var closeReasons: [MySQLError?] { self.closeReasonsBox.withLock { $0 } }

    init(
        user: String = "baton",
        password: String = "secret",
        database: String? = nil,
        tls: MySQLTLSConfiguration = .disabled,
        maxPacketSize: Int = MySQLPacketDecoder.defaultMaxPayloadSize,
        connectTimeout: Duration = .seconds(5)
    ) throws {
        self.channel = EmbeddedChannel()
        self.handshake = self.channel.eventLoop.makePromise()
        let configuration = MySQLConnectionStateMachine.Configuration(
            user: user,
            password: password,
            database: database,
            tlsMode: tls.mode,
            maxPacketSize: maxPacketSize
        )
        try self.channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(MySQLPacketDecoder(maxPayloadSize: maxPacketSize)),
            MessageToByteHandler(MySQLPacketEncoder()),
            MySQLChannelHandler(
                configuration: configuration,
                sslContext: try tls.makeSSLContext(),
                serverHostname: nil,
                connectTimeout: connectTimeout,
                handshakePromise: self.handshake,
                closeNotifier: self.closeNotifier,
                logger: Logger(label: "test")
            ),
        ])
        self.closeNotifier.register { [closeReasonsBox] reason in closeReasonsBox.withLock { $0.append(reason) } }
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3306)).wait()
    }

    /// Feeds server bytes; decode errors are handled in the pipeline, so this only fails on harness bugs.
    func feed(_ bytes: ByteBuffer) {
        _ = try? self.channel.writeInbound(bytes)
    }

    func feed(_ script: WireServerScript) {
        self.feed(script.bytes)
    }

    /// Whether the connection still serves commands: a ping answered OK by the scripted server succeeds.
    func stillAnswers() -> Bool {
        let ping = self.send(.ping)
        var script = WireServerScript()
        script.command()
        script.ok()
        self.feed(script)
        return ping.succeeded
    }

    /// Submits a command as MySQLConnection does and returns its future.
    func send(_ command: MySQLCommand, timeout: Duration = .seconds(5)) -> EventLoopFuture<MySQLQueryResult> {
        let promise = self.channel.eventLoop.makePromise(of: MySQLQueryResult.self)
        self.channel.writeAndFlush(MySQLRequest(command: command, timeout: timeout, promise: promise)).whenFailure { error in
            promise.fail(error)
        }
        return promise.futureResult
    }

    /// All packets the client has written so far.
    func clientPackets() throws -> [MySQLPacket] {
        var decoder = MySQLPacketDecoder()
        var packets: [MySQLPacket] = []
        while var bytes = try self.channel.readOutbound(as: ByteBuffer.self) {
            while let packet = try decoder.decode(buffer: &bytes) {
                packets.append(packet)
            }
        }
        return packets
    }

    /// Simulates the server closing the socket.
    func serverCloses() {
        self.channel.pipeline.fireChannelInactive()
    }

    deinit {
        _ = try? self.channel.finish(acceptAlreadyClosed: true)
    }
}

extension EventLoopFuture {
    /// The result if the future has completed (EmbeddedEventLoop completes futures synchronously).
    var completedResult: Result<Value, any Error>? {
        var result: Result<Value, any Error>?
        self.assumeIsolated().whenComplete { result = $0 }
        return result
    }

    /// True when the future has completed successfully.
    var succeeded: Bool {
        if case .success = self.completedResult {
            return true
        }
        return false
    }
}

func mysqlError<T>(_ result: Result<T, any Error>?) -> MySQLError? {
    guard case .failure(let error) = result else {
        return nil
    }
    return error as? MySQLError
}

/// A value shared with @Sendable callbacks.
final class WireLockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        self.mutex = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R {
        self.mutex.withLock { body(&$0) }
    }
}

extension WireHarness {
    /// Greeting + OK for a native-password login; returns the harness after checking the handshake succeeded.
    static func connected(capabilities: MySQLCapabilities = WireServerScript.defaultCapabilities) throws -> WireHarness {
        let harness = try WireHarness()
        var script = WireServerScript(capabilities: capabilities)
        script.greeting()
        script.ok()
        harness.feed(script)
        _ = try #require(try harness.handshake.futureResult.completedResult?.get())
        _ = try harness.clientPackets()
        return harness
    }

    static func handshakeResponse(_ packets: [MySQLPacket], at index: Int = 0) throws -> MySQLHandshakeResponse41 {
        var payload = try #require(packets.dropFirst(index).first).payload
        return try MySQLHandshakeResponse41.decode(from: &payload)
    }
}
