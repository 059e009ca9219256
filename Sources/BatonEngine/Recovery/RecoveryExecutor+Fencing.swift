import BatonCore
import BatonMySQL

/// What fencing a server did.
public struct FencingOutcome: Sendable, Equatable {
    /// The read-only statements that ran.
    public var statements: [String]
    /// The client connections killed.
    public var killed: [UInt64]
}

extension RecoveryExecutor {
    /// Fences `key` over one connection of its own: read-only first (so a client that reconnects finds it so),
    /// then, with `killConnections`, every client connection but this one is killed (a connection gone meanwhile is
    /// ignored). If read-only cannot be set (a long write holds the lock until the read timeout), the clients are
    /// killed first and read-only is tried once more.
    /// - Throws: `RecoveryExecutionError` when the server cannot be reached or stays writable.
    public func fence(
        _ key: InstanceKey, statements: FencingStatements, killConnections: Bool
    ) async throws(RecoveryExecutionError) -> FencingOutcome {
        var connections: [InstanceKey: MySQLConnection] = [:]
        defer {
            let open = Array(connections.values)
            Task { for connection in open { await connection.close() } }
        }
        var killed: [UInt64] = []
        do throws(RecoveryExecutionError) {
            let connection = try await connection(to: key, connections: &connections)
            for statement in statements.readOnly { try await query(connection, statement) }
        } catch {
            guard killConnections else { throw error }
            if let broken = connections.removeValue(forKey: key) { await broken.close() }
            let connection = try await connection(to: key, connections: &connections)
            killed = try await killClients(connection)
            for statement in statements.readOnly { try await query(connection, statement) }
        }
        if killConnections, let connection = connections[key] {
            killed += try await killClients(connection)
        }
        return FencingOutcome(statements: statements.readOnly, killed: killed)
    }

    /// Lists the client connections and kills them; returns those that were killed.
    func killClients(_ connection: MySQLConnection) async throws(RecoveryExecutionError) -> [UInt64] {
        let listed = try await query(connection, FencingStatements.processList).rows.compactMap { row in
            UInt64(row["ID"] ?? "").map {
                FencingStatements.Process(id: $0, user: row["USER"] ?? "", command: row["COMMAND"] ?? "")
            }
        }
        var killed: [UInt64] = []
        for id in FencingStatements.clientConnections(listed) {
            // A connection that ended meanwhile answers "Unknown thread id": nothing left to kill.
            if (try? await query(connection, FencingStatements.kill(id))) != nil { killed.append(id) }
        }
        return killed
    }
}
