/// Errant transactions: what a replica executed that its source has not (orchestrator's `GtidErrant`).
public enum ErrantGTID {
    /// MySQL: the replica's `gtid_executed` minus its source's, after orchestrator's redaction — transactions of
    /// the replica's ancestors (its source, the source's source, …) are ignored because the source may simply
    /// have been probed earlier than the replica, and a co-primary's own transactions are legitimate.
    ///
    /// - Parameters:
    ///   - ancestorUUIDs: `server_uuid` of the source and every source above it.
    /// - Returns: the errant set in canonical text, or `""` when there is none or a set does not parse.
    public static func mysql(
        replicaExecuted: String, replicaUUID: String, isCoPrimary: Bool, sourceExecuted: String,
        ancestorUUIDs: [String]
    ) -> String {
        guard !replicaExecuted.isEmpty, !sourceExecuted.isEmpty,
            var replica = MySQLGTIDSet(parsing: replicaExecuted), let source = MySQLGTIDSet(parsing: sourceExecuted)
        else { return "" }
        let own = replicaUUID.lowercased()
        for uuid in ancestorUUIDs where uuid.lowercased() != own { replica = replica.removingServer(uuid) }
        if isCoPrimary { replica = replica.removingServer(own) }
        return replica.subtracting(source).description
    }

    /// MariaDB: a GTID in the replica's position that the replica generated itself (its own `server_id`) in a
    /// domain where the source is behind or absent. A position holds only the last GTID per domain, so this finds
    /// local writes that have not been overwritten by later replicated ones; a co-primary's own writes are
    /// legitimate and never errant.
    /// - Returns: the errant GTIDs (`domain-server-sequence`, comma-separated), or `""`.
    public static func mariaDB(
        replicaPosition: String, replicaServerID: UInt32, isCoPrimary: Bool, sourcePosition: String
    ) -> String {
        guard !isCoPrimary, replicaServerID != 0, !replicaPosition.isEmpty, !sourcePosition.isEmpty,
            let replica = MariaDBGTIDPosition(parsing: replicaPosition),
            let source = MariaDBGTIDPosition(parsing: sourcePosition)
        else { return "" }
        return replica.gtids
            .filter { gtid in
                guard gtid.serverID == replicaServerID else { return false }
                guard let reached = source.sequence(inDomain: gtid.domain) else { return true }
                return reached < gtid.sequence
            }
            .map(\.description).joined(separator: ",")
    }
}
