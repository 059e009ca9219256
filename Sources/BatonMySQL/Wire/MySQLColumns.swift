/// The columns of a result set, shared by all its rows.
public struct MySQLColumns: Sendable, Equatable {
    /// The column definitions in result order.
    public let definitions: [MySQLColumnDefinition]

    public init(_ definitions: [MySQLColumnDefinition]) {
        self.definitions = definitions
    }

    public var count: Int { self.definitions.count }

    /// The column names in result order.
    public var names: [String] { self.definitions.map(\.name) }

    /// The index of the first column named `name`, ASCII letters compared case-insensitively. A scan: result sets
    /// have a few dozen columns at most, and building a name index for every result set cost more than the
    /// lookups it saved (every probe reads five result sets).
    public func index(of name: String) -> Int? {
        self.definitions.firstIndex { $0.name.equalsIgnoringASCIICase(name) }
    }
}

extension String {
    /// Byte equality with ASCII letters folded (column and variable names are ASCII); Foundation's
    /// `caseInsensitiveCompare` is far slower.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        var a = self
        var b = other
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
}
