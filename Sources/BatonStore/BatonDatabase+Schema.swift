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
        return migrator
    }
}
