/// One row of a text result set. Values are the server's text form; NULL is `nil`.
public struct MySQLRow: Sendable, Equatable {
    /// The result set's columns (shared storage, not copied per row).
    public let columns: MySQLColumns
    /// The values in column order.
    public let values: [String?]

    public init(columns: MySQLColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value at `index`; nil when the value is NULL or the index is out of range.
    public subscript(index: Int) -> String? {
        self.values.indices.contains(index) ? self.values[index] : nil
    }

    /// The value of the first column named `column` (case-insensitive); nil when NULL or there is no such column.
    public subscript(column: String) -> String? {
        guard let index = self.columns.index(of: column) else {
            return nil
        }
        return self[index]
    }

    /// True when the result has a column named `column` (case-insensitive).
    public func hasColumn(_ column: String) -> Bool {
        self.columns.index(of: column) != nil
    }

    /// True when the column exists and its value is NULL.
    public func isNull(_ column: String) -> Bool {
        guard let index = self.columns.index(of: column), self.values.indices.contains(index) else {
            return false
        }
        return self.values[index] == nil
    }

    /// The row as column name to value, for logging and debugging. Later duplicate names are dropped.
    public var dictionary: [String: String?] {
        var result: [String: String?] = [:]
        for (index, name) in self.columns.names.enumerated() where result[name] == nil {
            result[name] = self[index]
        }
        return result
    }
}
