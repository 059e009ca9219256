import BatonRaft
import Synchronization

/// A replicated application for tests: the list of commands applied, in order. The result of a command is
/// `"applied <index>"`; a snapshot is the list, length-prefixed.
public final class RecordingApplication: RaftApplication {
    public struct State {
        public var commands: [[UInt8]] = []
        public var lastIndex: UInt64 = 0
        public var restores = 0
        public var snapshots = 0
        /// Whether `appliedIndex()` reports `lastIndex`, as an application with durable state would.
        public var durable = false
    }

    public let state = Mutex(State())

    public init() {}

    public var commands: [[UInt8]] { state.withLock { $0.commands } }
    public var lastIndex: UInt64 { state.withLock { $0.lastIndex } }
    public var restores: Int { state.withLock { $0.restores } }
    public var snapshots: Int { state.withLock { $0.snapshots } }

    /// From now on, behave like an application whose state survives restarts.
    public func becomeDurable() { state.withLock { $0.durable = true } }

    public func appliedIndex() async throws -> UInt64? {
        state.withLock { $0.durable ? $0.lastIndex : nil }
    }

    public func apply(_ entry: RaftEntry) async throws -> [UInt8] {
        state.withLock { state in
            state.commands.append(entry.data)
            state.lastIndex = entry.index
        }
        return Array("applied \(entry.index)".utf8)
    }

    public func takeSnapshot() async throws -> [UInt8] {
        state.withLock { state in
            state.snapshots += 1
            return Self.encode(state.commands)
        }
    }

    public func restore(_ snapshot: RaftSnapshot) async throws {
        let commands = try Self.decode(snapshot.data)
        state.withLock { state in
            state.commands = commands
            state.lastIndex = snapshot.metadata.index
            state.restores += 1
        }
    }

    public struct Malformed: Error {}

    public static func encode(_ commands: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for command in commands {
            let count = UInt32(command.count)
            bytes += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
            bytes += command
        }
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var commands: [[UInt8]] = []
        var at = 0
        while at < bytes.count {
            guard at + 4 <= bytes.count else { throw Malformed() }
            let count = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            at += 4
            guard at + count <= bytes.count else { throw Malformed() }
            commands.append(Array(bytes[at..<at + count]))
            at += count
        }
        return commands
    }
}

extension RecordingApplication {
    /// A command's bytes for test number `n`, padded to `size` bytes.
    public static func command(_ n: Int, size: Int = 0) -> [UInt8] {
        let text = Array("command \(n)".utf8)
        return text + [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: max(0, size - text.count))
    }
}
