import BatonCore
import BatonMySQL
import Logging
import NIOCore

/// Performs a ``RecoveryPlan`` against real servers, one step at a time, and reports what happened.
///
/// Opens its own connections (one per instance, closed when the execution ends), each with the configured connect
/// timeout; every statement has the `MySQLTopologyReadTimeoutSeconds` deadline. It never throws: a failure on the
/// candidate fails the recovery (nothing after it runs), a failure on a follower makes that follower lost and the
/// others go on, a failure on the old primary is recorded and ignored.
public struct RecoveryExecutor<C: Clock>: Sendable where C.Duration == Duration {
    let access: BatonConfiguration.TopologyAccess
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let clock: C
    /// How often bounded waits poll the replication status.
    let pollInterval: Duration

    public init(
        access: BatonConfiguration.TopologyAccess, eventLoopGroup: any EventLoopGroup, logger: Logger, clock: C,
        pollInterval: Duration = .milliseconds(100)
    ) {
        self.access = access
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.clock = clock
        self.pollInterval = pollInterval
    }

    /// Runs the plan's steps in order.
    /// - Parameter checkStillAllowed: asked before every step that changes a server (e.g. "am I still the
    ///   leader?"); `false` stops the execution with outcome `aborted`.
    /// - Parameter onStep: told each step's outcome as soon as it is known (the audit trail records it live).
    public func execute(
        _ plan: RecoveryPlan, checkStillAllowed: @Sendable () async -> Bool = { true },
        onStep: @Sendable (RecoveryExecutionResult.StepOutcome) -> Void = { _ in }
    ) async -> RecoveryExecutionResult {
        var logger = logger
        logger[metadataKey: "baton.recovery.failed"] = "\(plan.failed)"
        logger[metadataKey: "baton.recovery.kind"] = "\(plan.kind.rawValue)"
        logger.info("recovery execution started", metadata: ["baton.recovery.successor": "\(plan.successor)"])

        var connections: [InstanceKey: MySQLConnection] = [:]
        var outcomes: [RecoveryExecutionResult.StepOutcome] = []
        var lost = plan.lost
        var lostKeys = Set(plan.lost.map(\.key))
        var errors: [String] = []
        var outcome = RecoveryExecutionResult.Outcome.succeeded
        var promoted = false
        var moved: [InstanceKey] = []

        for step in plan.steps {
            let target = step.target
            var stepLogger = logger
            stepLogger[metadataKey: "baton.recovery.step"] = "\(step.name)"
            stepLogger[metadataKey: "baton.recovery.instance"] = "\(target)"
            if lostKeys.contains(target) {
                outcomes.append(.init(step: step, status: .skipped("\(target) was lost earlier in this recovery"), duration: .zero))
                onStep(outcomes[outcomes.count - 1])
                continue
            }
            if step.changesServer, !(await checkStillAllowed()) {
                stepLogger.warning("recovery aborted: no longer allowed to change servers")
                errors.append("aborted before \(step.description): no longer allowed to change servers")
                outcome = .aborted
                break
            }
            let start = clock.now
            do {
                try await run(step, connections: &connections)
                let duration = start.duration(to: clock.now)
                outcomes.append(.init(step: step, status: .ok, duration: duration))
                onStep(outcomes[outcomes.count - 1])
                stepLogger.info(
                    "recovery step succeeded", metadata: ["baton.recovery.duration_ms": "\(duration.inMilliseconds)"])
                if case .promote = step { promoted = true }
                if case .awaitReplicating = step { moved.append(target) }
            } catch {
                let error = error as? RecoveryExecutionError
                    ?? RecoveryExecutionError(code: .statementFailed, message: "\(error)")
                let duration = start.duration(to: clock.now)
                outcomes.append(.init(step: step, status: .failed(error), duration: duration))
                onStep(outcomes[outcomes.count - 1])
                errors.append("\(step.description): \(error)")
                if let connection = connections.removeValue(forKey: target) { await connection.close() }
                stepLogger.error(
                    "recovery step failed",
                    metadata: [
                        "baton.recovery.error": "\(error)", "baton.recovery.duration_ms": "\(duration.inMilliseconds)",
                    ])
                switch plan.role(of: target) {
                case .candidate:
                    outcome = .failed
                case .failedInstance:
                    break
                case .follower:
                    lostKeys.insert(target)
                    lost.append(RecoveryPlan.LostReplica(key: target, reason: "\(step.description) failed: \(error)"))
                }
                if outcome == .failed { break }
            }
        }
        for connection in connections.values { await connection.close() }

        var successor: InstanceKey?
        switch plan.kind {
        case .deadPrimary:
            // Without ApplyMySQLPromotionAfterMasterFailover there is no promote step: the candidate is the successor
            // when everything ran.
            let promotes = plan.steps.contains { $0.name == "promote" }
            if promotes ? promoted : outcome == .succeeded { successor = plan.candidate }
        case .deadIntermediatePrimary:
            if !moved.isEmpty { successor = plan.successor }
            if outcome == .succeeded, moved.isEmpty {
                outcome = .failed
                errors.append("no replica of \(plan.failed) could be moved under \(plan.successor)")
            }
        }
        logger.info(
            "recovery execution finished",
            metadata: [
                "baton.recovery.outcome": "\(outcome.rawValue)",
                "baton.recovery.successor": "\(successor?.description ?? "")",
                "baton.recovery.lost": "\(lost.count)",
            ])
        return RecoveryExecutionResult(
            outcome: outcome, steps: outcomes, successorKey: successor, lostReplicas: lost, movedReplicas: moved,
            errors: errors)
    }

    /// Runs `statements` in order on `key` over a connection of its own (closed afterwards), for the work around a
    /// plan: detaching lost replicas, a graceful takeover's read-only switch and catch-up wait.
    /// - Returns: each statement's result.
    public func run(_ statements: [String], on key: InstanceKey) async throws(RecoveryExecutionError) -> [MySQLQueryResult] {
        var connections: [InstanceKey: MySQLConnection] = [:]
        defer {
            if let connection = connections[key] { Task { await connection.close() } }
        }
        let connection = try await connection(to: key, connections: &connections)
        var results: [MySQLQueryResult] = []
        for statement in statements { results.append(try await query(connection, statement)) }
        return results
    }

    func run(_ step: RecoveryStep, connections: inout [InstanceKey: MySQLConnection]) async throws {
        let connection = try await connection(to: step.target, connections: &connections)
        switch step {
        case .stopReceiving, .stopReplication, .promote, .repoint, .setReadOnly:
            for statement in step.statements { try await query(connection, statement) }
        case .awaitRelayLogApplied(_, let statusQuery, let seconds):
            try await poll(connection, statusQuery, seconds: seconds, what: "the relay log to be applied") { status in
                guard let status else { return true }  // no replication configured: nothing to apply
                if status.relayLogApplied { return true }
                if !status.sqlRunning {
                    throw RecoveryExecutionError(
                        code: .sqlThreadStopped,
                        message: "the SQL thread is not running with relay log left to apply"
                            + (status.sqlError.isEmpty ? "" : " (\(status.sqlError))"))
                }
                return false
            }
        case .awaitReplicating(_, let statusQuery, let seconds):
            try await poll(connection, statusQuery, seconds: seconds, what: "replication to run") { status in
                guard let status else {
                    throw RecoveryExecutionError(code: .statementFailed, message: "no replication is configured")
                }
                return status.ioRunning && status.sqlRunning
            }
        }
    }

    /// Polls `statusQuery` until `done` says so, or fails with `timeout` (naming the last errors seen).
    func poll(
        _ connection: MySQLConnection, _ statusQuery: String, seconds: Int, what: String,
        done: (ReplicationRow?) throws -> Bool
    ) async throws {
        let deadline = clock.now.advanced(by: .seconds(seconds))
        var last: ReplicationRow?
        while true {
            let result = try await query(connection, statusQuery)
            last = result.rows.first.map(ReplicationRow.init)
            if try done(last) { return }
            if clock.now >= deadline {
                let errors = [last?.ioError ?? "", last?.sqlError ?? ""].filter { !$0.isEmpty }
                throw RecoveryExecutionError(
                    code: .timeout,
                    message: "waited \(seconds) s for \(what)"
                        + (errors.isEmpty ? "" : " (\(errors.joined(separator: "; ")))"))
            }
            do {
                try await clock.sleep(for: pollInterval)
            } catch {
                throw RecoveryExecutionError(code: .timeout, message: "cancelled while waiting for \(what)")
            }
        }
    }

    @discardableResult
    func query(_ connection: MySQLConnection, _ statement: String) async throws(RecoveryExecutionError) -> MySQLQueryResult {
        do {
            return try await connection.query(statement, timeout: .seconds(access.readTimeoutSeconds))
        } catch {
            throw RecoveryExecutionError(code: .statementFailed, message: "\(statement): \(error)")
        }
    }

    func connection(
        to key: InstanceKey, connections: inout [InstanceKey: MySQLConnection]
    ) async throws(RecoveryExecutionError) -> MySQLConnection {
        if let open = connections[key], !open.isClosed { return open }
        do {
            let connection = try await MySQLConnection.connect(
                to: access.connectionConfiguration(for: key, queryTimeout: .seconds(access.readTimeoutSeconds)),
                on: eventLoopGroup, logger: logger)
            connections[key] = connection
            return connection
        } catch {
            throw RecoveryExecutionError(code: .connectFailed, message: "cannot connect to \(key): \(error)")
        }
    }
}

extension RecoveryExecutor where C == ContinuousClock {
    public init(
        access: BatonConfiguration.TopologyAccess, eventLoopGroup: any EventLoopGroup, logger: Logger,
        pollInterval: Duration = .milliseconds(100)
    ) {
        self.init(
            access: access, eventLoopGroup: eventLoopGroup, logger: logger, clock: ContinuousClock(),
            pollInterval: pollInterval)
    }
}

/// The columns of `SHOW SLAVE STATUS` / `SHOW REPLICA STATUS` a recovery looks at, under either name.
struct ReplicationRow {
    var ioRunning: Bool
    var sqlRunning: Bool
    var ioError: String
    var sqlError: String
    /// The SQL thread has executed everything the IO thread read.
    var relayLogApplied: Bool

    init(_ row: MySQLRow) {
        func column(_ names: String...) -> String {
            for name in names where row.hasColumn(name) { return row[name] ?? "" }
            return ""
        }
        ioRunning = column("Slave_IO_Running", "Replica_IO_Running") == "Yes"
        sqlRunning = column("Slave_SQL_Running", "Replica_SQL_Running") == "Yes"
        ioError = column("Last_IO_Error")
        sqlError = column("Last_SQL_Error")
        relayLogApplied =
            column("Master_Log_File", "Source_Log_File") == column("Relay_Master_Log_File", "Relay_Source_Log_File")
            && column("Read_Master_Log_Pos", "Read_Source_Log_Pos") == column("Exec_Master_Log_Pos", "Exec_Source_Log_Pos")
    }
}
