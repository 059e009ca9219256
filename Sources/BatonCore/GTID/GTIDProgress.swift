/// How far two replicas of the same source have got, compared by what they executed.
///
/// A partial order: MariaDB positions compare domain by domain, MySQL GTID sets by inclusion, and without GTIDs the
/// executed coordinates of the source's binary log are compared. Two replicas that each have something the other
/// lacks are `incomparable`.
public enum GTIDProgress: Sendable, Equatable {
    case ahead, same, behind, incomparable

    /// Where `a` stands relative to `b`.
    public static func compare(_ a: InstanceFacts, _ b: InstanceFacts) -> GTIDProgress {
        if a.version?.isMariaDB == true, b.version?.isMariaDB == true,
            let left = MariaDBGTIDPosition(parsing: a.executedGTIDSet),
            let right = MariaDBGTIDPosition(parsing: b.executedGTIDSet), !(left.gtids.isEmpty && right.gtids.isEmpty)
        {
            let domains = Set(left.gtids.map(\.domain)).union(right.gtids.map(\.domain)).sorted()
            return combine(domains.map { domain in
                order(left.sequence(inDomain: domain) ?? 0, right.sequence(inDomain: domain) ?? 0)
            })
        }
        if a.version?.isMariaDB == false, b.version?.isMariaDB == false,
            let left = MySQLGTIDSet(parsing: a.executedGTIDSet), let right = MySQLGTIDSet(parsing: b.executedGTIDSet),
            !(left.isEmpty && right.isEmpty)
        {
            let leftOnly = !left.subtracting(right).isEmpty
            let rightOnly = !right.subtracting(left).isEmpty
            switch (leftOnly, rightOnly) {
            case (false, false): return .same
            case (true, false): return .ahead
            case (false, true): return .behind
            case (true, true): return .incomparable
            }
        }
        guard let left = a.replication, let right = b.replication else { return .incomparable }
        return order(
            (left.execSourceLogFile, left.execSourceLogPosition), (right.execSourceLogFile, right.execSourceLogPosition))
    }

    static func order<T: Comparable>(_ a: T, _ b: T) -> GTIDProgress {
        a == b ? .same : (a > b ? .ahead : .behind)
    }

    static func order(_ a: (String, Int64), _ b: (String, Int64)) -> GTIDProgress {
        if a == b { return .same }
        return a > b ? .ahead : .behind
    }

    static func combine(_ parts: [GTIDProgress]) -> GTIDProgress {
        let ahead = parts.contains(.ahead)
        let behind = parts.contains(.behind)
        switch (ahead, behind) {
        case (false, false): return .same
        case (true, false): return .ahead
        case (false, true): return .behind
        case (true, true): return .incomparable
        }
    }
}
