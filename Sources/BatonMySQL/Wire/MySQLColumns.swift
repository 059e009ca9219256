/// The columns of a result set, with a case-insensitive name index shared by all its rows.
public struct MySQLColumns: Sendable, Equatable {
    /// The column definitions in result order.
    public let definitions: [MySQLColumnDefinition]
    /// Lower-cased column name to the first index with that name.
    private let indexByName: [String: Int]

    public init(_ definitions: [MySQLColumnDefinition]) {
        self.definitions = definitions
        var index: [String: Int] = [:]
        for (position, column) in definitions.enumerated() {
            let key = column.name.lowercased()
            if index[key] == nil {
                index[key] = position
            }
        }
        self.indexByName = index
    }

    public var count: Int { self.definitions.count }

    /// The column names in result order.
    public var names: [String] { self.definitions.map(\.name) }

    /// The index of the first column named `name`, compared case-insensitively.
    public func index(of name: String) -> Int? {
        self.indexByName[name.lowercased()]
    }
}
