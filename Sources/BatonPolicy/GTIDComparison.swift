import BatonCore

/// How two GTID sets relate, for `baton.gtid_contains` and `baton.gtid_compare`. Both MySQL sets
/// (`uuid:1-5,uuid2:1-3`) and MariaDB positions (`0-1-100,1-2-5`) are understood; both sides must be the same kind.
enum GTIDComparison: String, Sendable {
    /// The same transactions.
    case equal
    /// The first contains everything in the second, and more.
    case ahead
    /// The second contains everything in the first, and more.
    case behind
    /// Each has something the other lacks.
    case diverged

    /// Compares two GTID sets; the error says which text could not be read.
    static func compare(_ first: String, _ second: String) -> Result<GTIDComparison, GTIDComparisonError> {
        if let a = MariaDBGTIDPosition(parsing: first), let b = MariaDBGTIDPosition(parsing: second) {
            return .success(relation(firstContains: contains(a, b), secondContains: contains(b, a)))
        }
        if let a = MySQLGTIDSet(parsing: first), let b = MySQLGTIDSet(parsing: second) {
            return .success(
                relation(firstContains: b.subtracting(a).isEmpty, secondContains: a.subtracting(b).isEmpty))
        }
        let unreadable = [first, second].first { MariaDBGTIDPosition(parsing: $0) == nil && MySQLGTIDSet(parsing: $0) == nil }
        if let unreadable {
            return .failure(GTIDComparisonError(message: "not a MySQL GTID set or MariaDB GTID position: '\(unreadable.prefix(200))'"))
        }
        return .failure(GTIDComparisonError(message: "cannot compare a MySQL GTID set with a MariaDB GTID position"))
    }

    private static func relation(firstContains: Bool, secondContains: Bool) -> GTIDComparison {
        switch (firstContains, secondContains) {
        case (true, true): .equal
        case (true, false): .ahead
        case (false, true): .behind
        case (false, false): .diverged
        }
    }

    /// A MariaDB position contains another when it is at least as far in every domain of the other.
    private static func contains(_ a: MariaDBGTIDPosition, _ b: MariaDBGTIDPosition) -> Bool {
        b.gtids.allSatisfy { gtid in (a.sequence(inDomain: gtid.domain) ?? 0) >= gtid.sequence }
    }
}

struct GTIDComparisonError: Error, Sendable {
    var message: String
}
