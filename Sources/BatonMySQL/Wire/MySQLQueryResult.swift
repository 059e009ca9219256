/// The outcome of a query: a result set (columns and rows), or for statements without one, the OK information.
public struct MySQLQueryResult: Sendable, Equatable {
    public let columns: MySQLColumns
    public let rows: [MySQLRow]
    /// Rows changed by an INSERT/UPDATE/DELETE; 0 for result sets.
    public let affectedRows: UInt64
    public let lastInsertID: UInt64
    public let warningCount: UInt16
    /// The server status after the statement.
    public let statusFlags: MySQLServerStatus
    /// The server's human-readable info string (e.g. "Rows matched: 1  Changed: 1  Warnings: 0").
    public let info: String

    public init(
        columns: MySQLColumns = MySQLColumns([]),
        rows: [MySQLRow] = [],
        affectedRows: UInt64 = 0,
        lastInsertID: UInt64 = 0,
        warningCount: UInt16 = 0,
        statusFlags: MySQLServerStatus = [],
        info: String = ""
    ) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.lastInsertID = lastInsertID
        self.warningCount = warningCount
        self.statusFlags = statusFlags
        self.info = info
    }

    /// True when the statement returned a result set (possibly with zero rows).
    public var hasResultSet: Bool { self.columns.count > 0 }

    /// The column names in result order.
    public var columnNames: [String] { self.columns.names }
}
