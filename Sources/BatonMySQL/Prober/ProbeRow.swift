/// One row of a text result set, addressed by column name (case-insensitively) as the prober needs it.
public struct ProbeRow: Sendable, Hashable {
    public let columns: [String]
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the first column named `name` (any case); `nil` when absent or SQL NULL.
    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(where: { Self.equalIgnoringASCIICase($0, name) }), index < values.count
        else { return nil }
        return values[index]
    }

    /// Column names are ASCII: compare bytes with ASCII letters folded. Foundation's `caseInsensitiveCompare` cost a
    /// fifth of the monitor's CPU at a thousand probes a second (`SHOW SLAVE STATUS` has some 60 columns, read by
    /// name about 30 times per probe).
    static func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count where x[i] != y[i] {
                    guard x[i] | 0x20 == y[i] | 0x20, (0x61...0x7A).contains(x[i] | 0x20) else { return false }
                }
                return true
            }
        }
    }

    /// The first of several spellings that the row has (`Slave_IO_Running` / `Replica_IO_Running`).
    public func first(_ names: String...) -> String? {
        for name in names { if let value = self[name] { return value } }
        return nil
    }
}

import Foundation
