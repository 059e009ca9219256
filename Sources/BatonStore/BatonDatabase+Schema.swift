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
        return migrator
    }
}
