import Foundation
import GRDB

extension BatonDatabase {
    /// Schema versions, applied in order and recorded in `grdb_migrations`. Never edit a shipped migration:
    /// add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: instances and hostname resolution") { db in
            try db.create(table: "instance") { t in
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("cluster_name", .text).notNull().defaults(to: "")
                t.column("last_attempted", .double)
                t.column("last_checked", .double)
                t.column("last_seen", .double)
                // The whole `Instance` as JSON; the columns above are indexed copies for queries.
                t.column("document", .blob).notNull()
                t.primaryKey(["hostname", "port"])
            }
            try db.create(index: "instance_cluster", on: "instance", columns: ["cluster_name"])
            try db.create(table: "hostname_resolve") { t in
                t.primaryKey("hostname", .text)
                t.column("resolved_hostname", .text).notNull()
                t.column("resolved_at", .double).notNull()
            }
        }
        migrator.registerMigration("v2: failure detections and the analysis changelog") { db in
            try db.create(table: "failure_detection") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("cluster_name", .text).notNull()
                t.column("analysis", .text).notNull()
                t.column("detected_at", .double).notNull()
                t.column("ends_active_period", .double).notNull()
                t.column("document", .blob).notNull()
            }
            try db.create(
                index: "failure_detection_instance", on: "failure_detection",
                columns: ["hostname", "port", "ends_active_period"])
            try db.create(table: "analysis_changelog") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("analysis", .text).notNull()
                t.column("changed_at", .double).notNull()
            }
            try db.create(index: "analysis_changelog_instance", on: "analysis_changelog", columns: ["hostname", "port"])
        }
        migrator.registerMigration("v3: downtimes, candidate registrations, global settings") { db in
            try db.create(table: "downtime") { t in
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("owner", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("begins_at", .double).notNull()
                t.column("ends_at", .double).notNull()
                t.primaryKey(["hostname", "port"])
            }
            try db.create(table: "candidate") { t in
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("promotion_rule", .text).notNull()
                t.column("registered_at", .double).notNull()
                t.column("expires_at", .double).notNull()
                t.primaryKey(["hostname", "port"])
            }
            try db.create(table: "global_setting") { t in
                t.primaryKey("name", .text)
                t.column("value", .text).notNull()
            }
        }
        migrator.registerMigration("v4: recoveries, their steps, blocked recoveries") { db in
            try db.create(table: "topology_recovery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("uid", .text).notNull().unique()
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("cluster_name", .text).notNull()
                t.column("cluster_alias", .text).notNull().defaults(to: "")
                t.column("analysis", .text).notNull()
                t.column("recovery_kind", .text).notNull()
                t.column("command", .text).notNull().defaults(to: "")
                t.column("processing_node", .text).notNull()
                t.column("started_at", .double).notNull()
                // NULL while the recovery runs: the per-cluster lock.
                t.column("ended_at", .double)
                t.column("attempted", .boolean).notNull().defaults(to: true)
                t.column("is_successful", .boolean).notNull().defaults(to: false)
                t.column("successor_hostname", .text)
                t.column("successor_port", .integer)
                t.column("successor_alias", .text).notNull().defaults(to: "")
                // JSON arrays: lost and participating instance keys, errors.
                t.column("lost_replicas", .text).notNull().defaults(to: "[]")
                t.column("participating_instances", .text).notNull().defaults(to: "[]")
                t.column("all_errors", .text).notNull().defaults(to: "[]")
                t.column("acknowledged", .boolean).notNull().defaults(to: false)
                t.column("acknowledged_at", .double)
                t.column("acknowledged_by", .text).notNull().defaults(to: "")
                t.column("acknowledged_comment", .text).notNull().defaults(to: "")
                t.column("last_detection_id", .integer).notNull().defaults(to: 0)
                t.column("policy_hash", .text).notNull().defaults(to: "")
                // The analysis row that triggered it, as the API returns it.
                t.column("analysis_document", .blob).notNull()
            }
            try db.create(index: "topology_recovery_cluster", on: "topology_recovery", columns: ["cluster_name", "ended_at"])
            try db.create(table: "topology_recovery_step") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recovery_uid", .text).notNull().indexed()
                t.column("audit_at", .double).notNull()
                t.column("message", .text).notNull()
            }
            try db.create(table: "blocked_recovery") { t in
                t.column("hostname", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("cluster_name", .text).notNull()
                t.column("analysis", .text).notNull()
                t.column("last_blocked_at", .double).notNull()
                t.column("blocking_recovery_id", .integer)
                t.column("reason", .text).notNull()
                t.primaryKey(["hostname", "port"])
            }
        }
        migrator.registerMigration("v5: a recovery's executing mark and the group's votes") { db in
            try db.alter(table: "topology_recovery") { t in
                // Set when the recovery is about to change a server: an interrupted recovery without it was not
                // attempted.
                t.add(column: "executing_at", .double)
                // JSON object; empty until the group's votes are recorded.
                t.add(column: "confirmation_document", .blob).notNull().defaults(to: Data())
            }
        }
        return migrator
    }
}
