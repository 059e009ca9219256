import BatonRaft
import Foundation
import GRDB

/// The tables of `raft.sqlite3`. Integers that are `UInt64` in Raft (ids, terms, indexes) are stored as their
/// `Int64` bit patterns; blobs may be stored as NULL when empty.
extension RaftSQLiteStorage {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("raft-v1") { db in
            // The node the file belongs to.
            try db.execute(sql: "CREATE TABLE raft_meta (id INTEGER PRIMARY KEY CHECK (id = 1), node_id INTEGER NOT NULL)")
            // Term, vote and commit index, and the position the persisted log starts after.
            try db.execute(
                sql: """
                    CREATE TABLE raft_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        term INTEGER NOT NULL, vote INTEGER, commit_index INTEGER NOT NULL,
                        base_index INTEGER NOT NULL, base_term INTEGER NOT NULL)
                    """)
            try db.execute(
                sql: "INSERT INTO raft_state (id, term, vote, commit_index, base_index, base_term) VALUES (1, 0, NULL, 0, 0, 0)")
            try db.execute(
                sql: """
                    CREATE TABLE raft_entry (
                        log_index INTEGER PRIMARY KEY, term INTEGER NOT NULL, kind INTEGER NOT NULL, data BLOB)
                    """)
            // The latest snapshot: metadata and the application's bytes.
            try db.execute(
                sql: """
                    CREATE TABLE raft_snapshot (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        snapshot_index INTEGER NOT NULL, snapshot_term INTEGER NOT NULL, membership BLOB,
                        data BLOB)
                    """)
        }
        return migrator
    }

    static func load(_ db: Database) throws -> RaftDurableState {
        guard let state = try Row.fetchOne(db, sql: "SELECT * FROM raft_state WHERE id = 1") else {
            throw RaftStorageError(.corrupt, "the raft_state row is missing")
        }
        let hardState = RaftHardState(
            term: UInt64(bitPattern: state["term"]),
            vote: (state["vote"] as Int64?).map { RaftNodeID(UInt64(bitPattern: $0)) },
            commit: UInt64(bitPattern: state["commit_index"]))
        let base = RaftLogPosition(
            index: UInt64(bitPattern: state["base_index"]), term: UInt64(bitPattern: state["base_term"]))

        var snapshot: RaftSnapshot?
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM raft_snapshot WHERE id = 1") {
            let membershipBytes = [UInt8]((row["membership"] as Data?) ?? Data())
            let membership: RaftMembership
            do {
                membership = try RaftMembership(decoding: membershipBytes)
            } catch {
                throw RaftStorageError(.corrupt, "the snapshot's membership cannot be decoded", underlying: error)
            }
            snapshot = RaftSnapshot(
                metadata: RaftSnapshotMetadata(
                    index: UInt64(bitPattern: row["snapshot_index"]), term: UInt64(bitPattern: row["snapshot_term"]),
                    membership: membership),
                data: [UInt8]((row["data"] as Data?) ?? Data()))
        }

        var entries: [RaftEntry] = []
        let rows = try Row.fetchCursor(
            db, sql: "SELECT * FROM raft_entry WHERE log_index > ? ORDER BY log_index",
            arguments: [Int64(bitPattern: base.index)])
        while let row = try rows.next() {
            let index = UInt64(bitPattern: row["log_index"])
            guard index == base.index + 1 + UInt64(entries.count) else {
                throw RaftStorageError(.corrupt, "the log has a gap before index \(index)")
            }
            let rawKind: Int64 = row["kind"]
            guard let kind = RaftEntry.Kind(rawValue: UInt8(truncatingIfNeeded: rawKind)), rawKind >= 0, rawKind < 256
            else {
                throw RaftStorageError(.corrupt, "the entry at \(index) has an unknown kind \(rawKind)")
            }
            entries.append(
                RaftEntry(
                    index: index, term: UInt64(bitPattern: row["term"]), kind: kind,
                    data: [UInt8]((row["data"] as Data?) ?? Data())))
        }
        return RaftDurableState(hardState: hardState, snapshot: snapshot, logBase: base, entries: entries)
    }

    /// Writes one batch (inside the caller's transaction): snapshot, compaction, entries, hard state.
    static func persist(_ ready: RaftReady, in db: Database) throws {
        if let snapshot = ready.snapshot {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO raft_snapshot (id, snapshot_index, snapshot_term, membership, data)
                    VALUES (1, ?, ?, ?, ?)
                    """,
                arguments: [
                    Int64(bitPattern: snapshot.metadata.index), Int64(bitPattern: snapshot.metadata.term),
                    Data(snapshot.metadata.membership.encoded()), Data(snapshot.data),
                ])
        }
        switch ready.compaction {
        case .compact(let through)?:
            let baseIndex = try Int64.fetchOne(db, sql: "SELECT base_index FROM raft_state WHERE id = 1") ?? 0
            if through.index > UInt64(bitPattern: baseIndex) {
                try db.execute(
                    sql: "DELETE FROM raft_entry WHERE log_index <= ?", arguments: [Int64(bitPattern: through.index)])
                try setBase(through, in: db)
            }
        case .reset(let to)?:
            try db.execute(sql: "DELETE FROM raft_entry")
            try setBase(to, in: db)
        case nil:
            break
        }
        if let first = ready.entries.first {
            // A conflicting suffix is replaced: everything from the first new index goes.
            try db.execute(sql: "DELETE FROM raft_entry WHERE log_index >= ?", arguments: [Int64(bitPattern: first.index)])
            let insert = try db.makeStatement(
                sql: "INSERT INTO raft_entry (log_index, term, kind, data) VALUES (?, ?, ?, ?)")
            for entry in ready.entries {
                try insert.execute(arguments: [
                    Int64(bitPattern: entry.index), Int64(bitPattern: entry.term), Int64(entry.kind.rawValue),
                    Data(entry.data),
                ])
            }
        }
        if let hardState = ready.hardState {
            try db.execute(
                sql: "UPDATE raft_state SET term = ?, vote = ?, commit_index = ? WHERE id = 1",
                arguments: [
                    Int64(bitPattern: hardState.term), hardState.vote.map { Int64(bitPattern: $0.rawValue) },
                    Int64(bitPattern: hardState.commit),
                ])
        }
    }

    private static func setBase(_ position: RaftLogPosition, in db: Database) throws {
        try db.execute(
            sql: "UPDATE raft_state SET base_index = ?, base_term = ? WHERE id = 1",
            arguments: [Int64(bitPattern: position.index), Int64(bitPattern: position.term)])
    }
}
