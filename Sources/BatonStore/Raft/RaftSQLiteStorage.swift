import BatonRaft
import Foundation
import GRDB

/// One node's Raft log, hard state and latest snapshot in their own SQLite file, `raft.sqlite3` in `RaftDataDir`.
///
/// The file is never the application's database. It is opened in WAL mode with `synchronous=FULL`, so each
/// ``persist(_:)`` — one transaction for the whole batch — is on disk (the WAL fsynced) when it returns: an entry or
/// vote acknowledged after that survives `kill -9` and power loss. The file records the node id it belongs to and
/// refuses to open for another.
public final class RaftSQLiteStorage: RaftStorage {
    /// The file's name inside the Raft data directory.
    public static let fileName = "raft.sqlite3"

    public let path: String
    public let nodeID: RaftNodeID
    let queue: DatabaseQueue

    /// Opens (creating if needed) `raft.sqlite3` in `directory`, creating the directory too.
    public convenience init(directory: String, nodeID: RaftNodeID) throws(RaftStorageError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RaftStorageError(.openFailed, "cannot create the Raft data directory \(directory)", underlying: error)
        }
        try self.init(path: (directory as NSString).appendingPathComponent(Self.fileName), nodeID: nodeID)
    }

    /// Opens (creating if needed) the Raft database at `path`.
    ///
    /// - Throws: ``RaftStorageError`` `.wrongNode` when the file belongs to another node id.
    public init(path: String, nodeID: RaftNodeID) throws(RaftStorageError) {
        self.path = path
        self.nodeID = nodeID
        do {
            var configuration = Configuration()
            configuration.label = "baton.raft"
            // Not `configuration.journalMode = .wal`: GRDB's WAL setup lowers `synchronous` to NORMAL, which may lose
            // the last transactions on power loss.
            configuration.prepareDatabase { db in
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw RaftStorageError(.openFailed, "SQLite refused WAL mode")
                }
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw RaftStorageError(.openFailed, "cannot open the Raft database at \(path)", underlying: error)
        }
        let owner: Int64?
        do {
            owner = try queue.write { db -> Int64? in
                if let owner = try Int64.fetchOne(db, sql: "SELECT node_id FROM raft_meta WHERE id = 1") {
                    return owner
                }
                try db.execute(
                    sql: "INSERT INTO raft_meta (id, node_id) VALUES (1, ?)", arguments: [Int64(bitPattern: nodeID.rawValue)])
                return nil
            }
        } catch {
            throw RaftStorageError(.readFailed, "cannot read the Raft database's owner at \(path)", underlying: error)
        }
        if let owner, owner != Int64(bitPattern: nodeID.rawValue) {
            throw RaftStorageError(
                .wrongNode,
                "the Raft database at \(path) belongs to node \(UInt64(bitPattern: owner)), not node \(nodeID)")
        }
    }

    public func load() async throws -> RaftDurableState {
        do {
            return try await queue.read { db in try Self.load(db) }
        } catch let error as RaftStorageError {
            throw error
        } catch {
            throw RaftStorageError(.readFailed, "cannot read the Raft state from \(path)", underlying: error)
        }
    }

    public func persist(_ ready: RaftReady) async throws {
        do {
            try await queue.write { db in try Self.persist(ready, in: db) }
        } catch {
            throw RaftStorageError(.writeFailed, "cannot persist the Raft state to \(path)", underlying: error)
        }
    }

    /// The journal mode and synchronous level in effect (`wal`, 2 = FULL), for tests and diagnostics.
    public func durabilitySettings() throws -> (journalMode: String, synchronous: Int) {
        try queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            )
        }
    }
}
