/// The statements one probe sends. `SHOW … WHERE Variable_name IN (…)` never fails on a variable the server
/// lacks, so one statement serves MariaDB, MySQL 5.7, 8.0 and 8.4 alike.
enum ProbeQueries {
    static let variables = """
        SHOW GLOBAL VARIABLES WHERE Variable_name IN (\(quoted(variableNames)))
        """
    static let status = """
        SHOW GLOBAL STATUS WHERE Variable_name IN (\(quoted(statusNames)))
        """
    static let replicaProcesslist = """
        SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')
        """

    static let variableNames = [
        "hostname", "report_host", "server_id", "server_uuid", "version", "version_comment", "read_only",
        "super_read_only", "log_bin", "log_slave_updates", "log_replica_updates", "binlog_format",
        "binlog_row_image", "gtid_mode", "gtid_executed", "gtid_purged", "gtid_current_pos", "gtid_binlog_pos",
        "gtid_slave_pos", "rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled",
        "rpl_semi_sync_source_enabled", "rpl_semi_sync_replica_enabled", "rpl_semi_sync_master_timeout",
        "rpl_semi_sync_source_timeout", "rpl_semi_sync_master_wait_for_slave_count",
        "rpl_semi_sync_source_wait_for_replica_count",
    ]
    static let statusNames = [
        "Uptime", "Rpl_semi_sync_master_status", "Rpl_semi_sync_slave_status", "Rpl_semi_sync_master_clients",
        "Rpl_semi_sync_source_status", "Rpl_semi_sync_replica_status", "Rpl_semi_sync_source_clients",
    ]

    static func quoted(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }

    static func replicationStatus(_ version: ServerVersion?) -> String {
        version?.usesReplicaStatements == true ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS"
    }

    static func binlogStatus(_ version: ServerVersion?) -> String {
        // MySQL 8.2 added SHOW BINARY LOG STATUS and 8.4 removed SHOW MASTER STATUS.
        if let version, !version.isMariaDB, (version.major, version.minor) >= (8, 2) {
            return "SHOW BINARY LOG STATUS"
        }
        return "SHOW MASTER STATUS"
    }

    static func replicaHosts(_ version: ServerVersion?) -> String {
        version?.usesShowReplicas == true ? "SHOW REPLICAS" : "SHOW SLAVE HOSTS"
    }
}

import BatonCore
