/// A MariaDB GTID position such as `0-1-100,1-2-5`: per replication domain, the last transaction as
/// `domain-server_id-sequence` (`@@gtid_current_pos`).
public struct MariaDBGTIDPosition: Hashable, Sendable, CustomStringConvertible {
    public struct GTID: Hashable, Sendable, CustomStringConvertible {
        public var domain: UInt32
        public var serverID: UInt32
        public var sequence: UInt64

        public var description: String { "\(domain)-\(serverID)-\(sequence)" }
    }

    /// Sorted by domain.
    public private(set) var gtids: [GTID]

    /// - Returns: `nil` when the text is not a list of `domain-server-sequence` triplets.
    public init?(parsing text: String) {
        var parsed: [GTID] = []
        let compact = text.filter { !$0.isWhitespace }
        if !compact.isEmpty {
            for element in compact.split(separator: ",", omittingEmptySubsequences: false) {
                let parts = element.split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 3, let domain = UInt32(parts[0]), let server = UInt32(parts[1]),
                    let sequence = UInt64(parts[2])
                else { return nil }
                parsed.append(GTID(domain: domain, serverID: server, sequence: sequence))
            }
        }
        gtids = parsed.sorted { ($0.domain, $0.serverID, $0.sequence) < ($1.domain, $1.serverID, $1.sequence) }
    }

    /// The last sequence number of `domain`, or `nil` when the position has no GTID in it.
    public func sequence(inDomain domain: UInt32) -> UInt64? {
        gtids.filter { $0.domain == domain }.map(\.sequence).max()
    }

    public var description: String { gtids.map(\.description).joined(separator: ",") }
}
