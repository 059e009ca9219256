import NIOCore
import Testing

@testable import BatonMySQL

/// The pure connection state machine, driven without NIO channels.
@Suite("Wire connection state machine")
struct WireStateMachineTests {
    private static func machine(maxResultSize: Int = 1 << 20) -> MySQLConnectionStateMachine {
        MySQLConnectionStateMachine(configuration: .init(
            user: "baton", password: "secret", database: nil, tlsMode: .disabled,
            maxPacketSize: 1 << 20, maxResultSize: maxResultSize
        ))
    }

    /// Runs the script's packets through the machine and returns the last action that was not `.none`.
    @discardableResult
    private static func deliver(_ script: WireServerScript, to machine: inout MySQLConnectionStateMachine) throws -> MySQLConnectionStateMachine.Action {
        var decoder = MySQLPacketDecoder()
        var bytes = script.bytes
        var last = MySQLConnectionStateMachine.Action.none
        while let packet = try decoder.decode(buffer: &bytes) {
            let action = machine.packetReceived(packet)
            if case .none = action {
                continue
            }
            last = action
        }
        return last
    }

    private static func ready() throws -> MySQLConnectionStateMachine {
        var machine = Self.machine()
        var script = WireServerScript()
        script.greeting()
        script.ok()
        guard case .succeedHandshake = try Self.deliver(script, to: &machine) else {
            Issue.record("handshake did not succeed")
            return machine
        }
        return machine
    }

    @Test func greetingLeadsToHandshakeResponseWithNextSequenceID() throws {
        var machine = Self.machine()
        var script = WireServerScript()
        script.greeting()
        guard case .sendPacket(let packet) = try Self.deliver(script, to: &machine) else {
            Issue.record("expected a handshake response")
            return
        }
        #expect(packet.sequenceID == 1)
    }

    @Test func closeWhenIdleSendsQuitOnceAndReportsNoReason() throws {
        var machine = try Self.ready()
        guard case .sendQuitAndClose(let packet) = machine.closeRequested() else {
            Issue.record("expected COM_QUIT")
            return
        }
        #expect(Array(buffer: packet.payload) == [MySQLCommand.quitByte])
        guard case .none = machine.closeRequested() else {
            Issue.record("second close must do nothing")
            return
        }
        guard case .reportClosed(_, let reason) = machine.channelInactive() else {
            Issue.record("expected reportClosed")
            return
        }
        #expect(reason == nil)
        guard case .none = machine.channelInactive() else {
            Issue.record("closure is reported once")
            return
        }
    }

    @Test func commandsAfterCloseAreRejected() throws {
        var machine = try Self.ready()
        _ = machine.channelInactive()
        guard case .rejectCommand(let error) = machine.sendCommand(.ping) else {
            Issue.record("expected rejection")
            return
        }
        #expect(error.code == .connectionClosed)
    }

    @Test func timeoutsOutsideTheirPhaseDoNothing() throws {
        var machine = try Self.ready()
        guard case .none = machine.connectTimeoutFired(after: .seconds(1)) else {
            Issue.record("connect timeout after login must be ignored")
            return
        }
        guard case .none = machine.commandTimeoutFired(after: .seconds(1)) else {
            Issue.record("command timeout with no command must be ignored")
            return
        }
        #expect(machine.isReady)
    }

    @Test func failureReasonIsReportedOnClose() throws {
        var machine = try Self.ready()
        _ = machine.sendCommand(.query("SELECT SLEEP(9)"))
        guard case .failAndClose(let error) = machine.commandTimeoutFired(after: .seconds(1)) else {
            Issue.record("expected failAndClose")
            return
        }
        #expect(error.code == .queryTimeout)
        guard case .reportClosed(_, let reason) = machine.channelInactive() else {
            Issue.record("expected reportClosed")
            return
        }
        #expect(reason?.code == .queryTimeout)
    }

    @Test func resultLargerThanTheLimitFails() throws {
        var machine = Self.machine(maxResultSize: 1000)
        var script = WireServerScript()
        script.greeting()
        script.ok()
        try Self.deliver(script, to: &machine)
        _ = machine.sendCommand(.query("SELECT big"))
        script = WireServerScript()
        script.command()
        script.resultSet(columns: ["big"], rows: Array(repeating: [String(repeating: "x", count: 300)], count: 5))
        guard case .failAndClose(let error) = try Self.deliver(script, to: &machine) else {
            Issue.record("expected failAndClose")
            return
        }
        #expect(error.code == .packetTooLarge)
    }
}
