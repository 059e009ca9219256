/// One row of a text result set, addressed by column name (case-insensitively) as the prober needs it.
public struct ProbeRow: Sendable, Hashable {
    public let columns: [String]
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the first column named `name` (ASCII letters in any case); `nil` when absent or SQL NULL.
    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(where: { $0.equalsIgnoringASCIICase(name) }), index < values.count
        else { return nil }
        return values[index]
    }

    /// The first of several spellings that the row has (`Slave_IO_Running` / `Replica_IO_Running`).
    public func first(_ names: String...) -> String? {
        for name in names { if let value = self[name] { return value } }
        return nil
    }
}

import Foundation
