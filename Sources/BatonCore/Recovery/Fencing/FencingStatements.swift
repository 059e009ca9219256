/// The statements that fence a demoted primary: read-only (and `super_read_only` where the flavour has it), then
/// the client connections listed and killed.
public struct FencingStatements: Sendable, Equatable {
    public var version: ServerVersion?

    public init(version: ServerVersion?) {
        self.version = version
    }

    /// `SET GLOBAL read_only = 1`, then `SET GLOBAL super_read_only = 1` on MySQL/Percona ≥ 5.7.8 (MariaDB has no
    /// `super_read_only`: there, a client with `SUPER`/`READ_ONLY ADMIN` can still write, which is why the client
    /// connections are killed too). An unknown version gets `read_only` only.
    public var readOnly: [String] {
        [ReplicationStatements.setReadOnly(true)]
            + (version?.hasSuperReadOnly == true ? ["SET GLOBAL super_read_only = 1"] : [])
    }

    /// Every connection but the one asking: `ID`, `USER`, `COMMAND`.
    public static let processList =
        "SELECT ID, USER, COMMAND FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()"

    /// One row of `processList`.
    public struct Process: Sendable, Equatable {
        public var id: UInt64
        public var user: String
        public var command: String

        public init(id: UInt64, user: String, command: String) {
            self.id = id
            self.user = user
            self.command = command
        }
    }

    /// Users that are the server's own threads (replication applier and receiver threads, the event scheduler).
    static let systemUsers: Set<String> = ["system user", "event_scheduler"]
    /// Commands of server threads and of replicas reading the binary log, never killed.
    static let serverCommands: Set<String> = ["Binlog Dump", "Binlog Dump GTID", "Daemon", "Killed"]

    /// The client connections to kill: everything but system threads, replication threads and connections already
    /// being killed (the fencing connection itself is not listed by `processList`). In the order listed.
    public static func clientConnections(_ processes: [Process]) -> [UInt64] {
        processes.filter { !systemUsers.contains($0.user) && !serverCommands.contains($0.command) }.map(\.id)
    }

    public static func kill(_ id: UInt64) -> String { "KILL CONNECTION \(id)" }
}

extension ServerVersion {
    /// Whether the server has `super_read_only`: MySQL and Percona from 5.7.8; never MariaDB.
    public var hasSuperReadOnly: Bool {
        !isMariaDB && (major, minor, patch) >= (5, 7, 8)
    }
}
