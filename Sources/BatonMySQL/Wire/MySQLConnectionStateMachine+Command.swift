import NIOCore

extension MySQLConnectionStateMachine {
    /// Progress of the running command.
    struct CommandContext {
        enum Phase {
            /// Waiting for OK, ERR or a column count.
            case awaitingResponse
            case columnDefinitions(expected: Int, received: [MySQLColumnDefinition])
            /// Without CLIENT_DEPRECATE_EOF an EOF packet separates definitions from rows.
            case columnsEOF(MySQLColumns)
            case rows(MySQLColumns, [MySQLRow])
        }

        var command: MySQLCommand
        /// The sequence id the next server packet must carry.
        var nextSequenceID: UInt8
        var phase: Phase = .awaitingResponse
        /// The first result when the server sends several (SERVER_MORE_RESULTS_EXISTS); later ones are read
        /// and dropped.
        var firstResult: MySQLQueryResult?
        /// Payload bytes received for this command, bounded by ``Configuration/maxResultSize``.
        var receivedBytes = 0
    }

    /// Handles one packet of the running command, which the caller took out of the state (`.modifying`); every
    /// path sets the state again.
    mutating func commandPacketReceived(_ packet: MySQLPacket, session: Session, command: inout CommandContext) -> Action {
        guard packet.sequenceID == command.nextSequenceID else {
            return self.fail(.protocolViolation(
                "response packet has sequence id \(packet.sequenceID), expected \(command.nextSequenceID)"
            ))
        }
        command.nextSequenceID = packet.lastSequenceID &+ 1
        command.receivedBytes += packet.payload.readableBytes
        guard command.receivedBytes <= self.configuration.maxResultSize else {
            return self.fail(MySQLError(
                code: .packetTooLarge,
                message: "the result of \(command.command.summary) exceeds the limit of \(self.configuration.maxResultSize) bytes"
            ))
        }
        var payload = packet.payload
        guard let first = packet.firstByte else {
            return self.fail(.malformed("server sent an empty packet"))
        }
        if first == MySQLPacketHeader.err {
            // ERR may end a command at any point of a result set; the connection stays usable.
            let error = Self.serverError(payload: &payload, context: "", authentication: false)
            guard error.code == .serverError else {
                return self.fail(error)
            }
            self.state = .ready(session)
            return .failCommand(error)
        }
        do {
            switch command.phase {
            case .awaitingResponse:
                return try self.firstResponseReceived(first: first, payload: &payload, session: session, command: command)
            case .columnDefinitions(let expected, var received):
                command.phase = .awaitingResponse  // `received` is now the array's only owner: it grows in place
                received.append(try MySQLColumnDefinition.decode(from: &payload))
                if received.count < expected {
                    command.phase = .columnDefinitions(expected: expected, received: received)
                } else if session.capabilities.contains(.deprecateEOF) {
                    command.phase = .rows(MySQLColumns(received), [])
                } else {
                    command.phase = .columnsEOF(MySQLColumns(received))
                }
                self.state = .executing(session, command)
                return .none
            case .columnsEOF(let columns):
                guard MySQLEOFPacket.isEOF(payload) else {
                    return self.fail(.protocolViolation("expected EOF after the column definitions"))
                }
                _ = try MySQLEOFPacket.decode(from: &payload, capabilities: session.capabilities)
                command.phase = .rows(columns, [])
                self.state = .executing(session, command)
                return .none
            case .rows(let columns, var rows):
                if first == MySQLPacketHeader.eof, self.isResultSetTerminator(payload, session: session) {
                    let (status, warnings) = try self.decodeTerminator(&payload, session: session)
                    let result = MySQLQueryResult(columns: columns, rows: rows, warningCount: warnings, statusFlags: status)
                    return self.resultCompleted(result, session: session, command: command)
                }
                let row = try MySQLTextRow.decode(from: &payload, columnCount: columns.count)
                command.phase = .awaitingResponse  // `rows` is now the array's only owner: it grows in place
                rows.append(MySQLRow(columns: columns, values: row.values))
                command.phase = .rows(columns, rows)
                self.state = .executing(session, command)
                return .none
            }
        } catch {
            return self.fail(error)
        }
    }

    private mutating func firstResponseReceived(
        first: UInt8,
        payload: inout ByteBuffer,
        session: Session,
        command: CommandContext
    ) throws(MySQLError) -> Action {
        var command = command
        switch first {
        case MySQLPacketHeader.ok:
            let ok = try MySQLOKPacket.decode(from: &payload, capabilities: session.capabilities)
            let result = MySQLQueryResult(
                affectedRows: ok.affectedRows,
                lastInsertID: ok.lastInsertID,
                warningCount: ok.warningCount,
                statusFlags: ok.statusFlags,
                info: ok.info
            )
            return self.resultCompleted(result, session: session, command: command)
        case MySQLPacketHeader.localInfile:
            return self.fail(.protocolViolation("server requested LOCAL INFILE, which this client never enables"))
        default:
            guard case .query = command.command else {
                return self.fail(.protocolViolation("server answered \(command.command.summary) with a result set"))
            }
            let count = try MySQLColumnCount.decode(from: &payload)
            command.phase = .columnDefinitions(expected: count, received: [])
            self.state = .executing(session, command)
            return .none
        }
    }

    private func isResultSetTerminator(_ payload: ByteBuffer, session: Session) -> Bool {
        if session.capabilities.contains(.deprecateEOF) {
            return payload.readableBytes < MySQLPacket.maxWirePayload
        }
        return MySQLEOFPacket.isEOF(payload)
    }

    private func decodeTerminator(
        _ payload: inout ByteBuffer,
        session: Session
    ) throws(MySQLError) -> (MySQLServerStatus, UInt16) {
        if session.capabilities.contains(.deprecateEOF) {
            let ok = try MySQLOKPacket.decode(from: &payload, capabilities: session.capabilities)
            return (ok.statusFlags, ok.warningCount)
        }
        let eof = try MySQLEOFPacket.decode(from: &payload, capabilities: session.capabilities)
        return (eof.statusFlags, eof.warningCount)
    }

    /// One result is complete; finish the command unless the server announced more results.
    private mutating func resultCompleted(_ result: MySQLQueryResult, session: Session, command: CommandContext) -> Action {
        var session = session
        var command = command
        if result.statusFlags.contains(.moreResultsExist) {
            if command.firstResult == nil {
                command.firstResult = result
            }
            command.phase = .awaitingResponse
            self.state = .executing(session, command)
            return .none
        }
        session.statusFlags = result.statusFlags
        self.state = .ready(session)
        return .succeedCommand(command.firstResult ?? result)
    }
}

extension MySQLCommand {
    /// A short description for error messages (queries are cut to 80 characters).
    var summary: String {
        switch self {
        case .quit:
            return "COM_QUIT"
        case .ping:
            return "COM_PING"
        case .query(let sql):
            let short = sql.count > 80 ? sql.prefix(80) + "…" : Substring(sql)
            return "query '\(short)'"
        }
    }
}
