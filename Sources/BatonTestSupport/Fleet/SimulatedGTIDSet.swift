import Foundation

/// The transactions a simulated server has, in the form its flavour prints.
///
/// MariaDB keeps, per replication domain, the last GTID (`domain-server-seq`): sequence numbers grow within a
/// domain whichever server wrote them. MySQL keeps, per originating server UUID, the interval `uuid:1-N`. Both are
/// modelled as "per key, the highest sequence number", with the server that wrote it; gaps are not modelled.
public struct SimulatedGTIDSet: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// MariaDB: the server id of the last transaction of the domain. MySQL: unused (0).
        public var origin: UInt32
        /// MariaDB: the last sequence number of the domain. MySQL: N of `uuid:1-N`.
        public var sequence: UInt64
    }

    /// MariaDB domain id (as text) or MySQL server UUID, to the last transaction.
    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    /// The number of transactions, summed over keys.
    public var transactionCount: UInt64 { entries.values.reduce(0) { $0 + $1.sequence } }

    /// Records one new transaction written by `origin` under `key` (MariaDB domain, MySQL UUID).
    public mutating func append(key: String, origin: UInt32) {
        let next = (entries[key]?.sequence ?? 0) + 1
        entries[key] = Entry(origin: origin, sequence: next)
    }

    /// Adds everything `other` has (per key, the later transaction wins).
    public mutating func formUnion(_ other: SimulatedGTIDSet) {
        for (key, entry) in other.entries where entry.sequence > (entries[key]?.sequence ?? 0) {
            entries[key] = entry
        }
    }

    public func union(_ other: SimulatedGTIDSet) -> SimulatedGTIDSet {
        var result = self
        result.formUnion(other)
        return result
    }

    /// Whether every transaction of `other` is here.
    public func contains(_ other: SimulatedGTIDSet) -> Bool {
        other.entries.allSatisfy { key, entry in (entries[key]?.sequence ?? 0) >= entry.sequence }
    }

    /// How many transactions of `other` are missing here.
    public func missing(from other: SimulatedGTIDSet) -> UInt64 {
        other.entries.reduce(0) { total, item in
            let have = entries[item.key]?.sequence ?? 0
            return total + (item.value.sequence > have ? item.value.sequence - have : 0)
        }
    }

    /// `0-101-42,1-101-7` (MariaDB) or `uuid:1-42,\nuuid2:1-7` (MySQL prints a newline after each comma).
    public func text(mariaDB: Bool) -> String {
        let keys = entries.keys.sorted { lhs, rhs in
            if mariaDB, let l = Int(lhs), let r = Int(rhs) { return l < r }
            return lhs < rhs
        }
        if mariaDB {
            return keys.map { "\($0)-\(entries[$0]!.origin)-\(entries[$0]!.sequence)" }.joined(separator: ",")
        }
        return keys.map { "\($0):1-\(entries[$0]!.sequence)" }.joined(separator: ",\n")
    }

    /// Parses either flavour's text; nil when it is neither. Empty text is the empty set.
    public init?(parsing text: String, mariaDB: Bool) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        for part in parts {
            if mariaDB {
                let fields = part.split(separator: "-")
                guard fields.count == 3, Int(fields[0]) != nil, let origin = UInt32(fields[1]),
                    let sequence = UInt64(fields[2])
                else { return nil }
                entries[String(fields[0])] = Entry(origin: origin, sequence: sequence)
            } else {
                let fields = part.split(separator: ":")
                guard fields.count >= 2 else { return nil }
                var highest: UInt64 = 0
                for interval in fields.dropFirst() {
                    let bounds = interval.split(separator: "-")
                    guard let last = bounds.last.flatMap({ UInt64($0) }), bounds.count <= 2 else { return nil }
                    highest = max(highest, last)
                }
                entries[String(fields[0]).lowercased()] = Entry(origin: 0, sequence: highest)
            }
        }
    }
}
