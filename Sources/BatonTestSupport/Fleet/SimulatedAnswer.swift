/// What a simulated server answers to one statement.
public enum SimulatedAnswer: Sendable, Equatable {
    /// A text result set.
    case resultSet(columns: [String], rows: [[String?]])
    /// An OK packet; warnings are kept for `SHOW WARNINGS`.
    case ok(affectedRows: UInt64, warnings: [SimulatedWarning])
    /// An ERR packet.
    case error(SimulatedError)
    /// A function that blocks until replication reaches a position (`MASTER_GTID_WAIT`, …): the shell asks
    /// ``FleetState/evaluate(_:on:now:)`` again until it answers.
    case wait(SimulatedWait)

    static func ok(affectedRows: UInt64 = 0) -> SimulatedAnswer { .ok(affectedRows: affectedRows, warnings: []) }

    static func note(_ code: UInt16, _ message: String) -> SimulatedAnswer {
        .ok(affectedRows: 0, warnings: [SimulatedWarning(level: "Note", code: code, message: message)])
    }

    static func error(_ number: UInt16, _ sqlState: String, _ message: String) -> SimulatedAnswer {
        .error(SimulatedError(number: number, sqlState: sqlState, message: message))
    }
}

public struct SimulatedError: Sendable, Equatable, Error {
    public var number: UInt16
    public var sqlState: String
    public var message: String
}

public struct SimulatedWarning: Sendable, Equatable {
    public var level: String
    public var code: UInt16
    public var message: String
}

/// A pending wait for a replication position.
public struct SimulatedWait: Sendable, Equatable {
    enum Target: Sendable, Equatable {
        /// Until the executed set contains this one.
        case gtids(SimulatedGTIDSet)
        /// Until the SQL thread has executed the source's binlog up to here.
        case position(file: String, position: Int64)
    }

    var target: Target
    /// The column label (the expression as written).
    var label: String
    /// nil waits until the client gives up.
    var deadline: ContinuousClock.Instant?
    /// The value returned on success and on timeout (`0`/`-1` for MariaDB, `0`/`1` for MySQL).
    var reached: String
    var timedOut: String
}

/// Per-connection state a server keeps between statements.
struct SimulatedSession: Sendable {
    /// The warnings of the last statement, for `SHOW WARNINGS`.
    var warnings: [SimulatedWarning] = []
}
