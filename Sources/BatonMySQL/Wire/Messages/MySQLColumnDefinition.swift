import NIOCore

/// A result set column (Protocol::ColumnDefinition41).
public struct MySQLColumnDefinition: Sendable, Hashable {
    public var catalog: String
    public var schema: String
    /// The table alias.
    public var table: String
    public var originalTable: String
    /// The column name or alias as the query named it; used for lookups by name.
    public var name: String
    public var originalName: String
    public var characterSet: UInt16
    public var columnLength: UInt32
    /// The `MYSQL_TYPE_*` value.
    public var type: UInt8
    public var flags: UInt16
    public var decimals: UInt8

    public init(
        catalog: String = "def",
        schema: String = "",
        table: String = "",
        originalTable: String = "",
        name: String,
        originalName: String? = nil,
        characterSet: UInt16 = UInt16(MySQLCharacterSet.utf8mb4GeneralCI),
        columnLength: UInt32 = 0,
        type: UInt8 = MySQLColumnDefinition.typeVarString,
        flags: UInt16 = 0,
        decimals: UInt8 = 0
    ) {
        self.catalog = catalog
        self.schema = schema
        self.table = table
        self.originalTable = originalTable
        self.name = name
        self.originalName = originalName ?? name
        self.characterSet = characterSet
        self.columnLength = columnLength
        self.type = type
        self.flags = flags
        self.decimals = decimals
    }

    /// `MYSQL_TYPE_LONGLONG`.
    public static let typeLongLong: UInt8 = 0x08
    /// `MYSQL_TYPE_VAR_STRING`.
    public static let typeVarString: UInt8 = 0xFD
    /// `MYSQL_TYPE_NULL`.
    public static let typeNull: UInt8 = 0x06

    public static func decode(from buffer: inout ByteBuffer) throws(MySQLError) -> MySQLColumnDefinition {
        guard
            let catalog = buffer.readMySQLLengthEncodedString(),
            let schema = buffer.readMySQLLengthEncodedString(),
            let table = buffer.readMySQLLengthEncodedString(),
            let originalTable = buffer.readMySQLLengthEncodedString(),
            let name = buffer.readMySQLLengthEncodedString(),
            let originalName = buffer.readMySQLLengthEncodedString(),
            let fixedLength = buffer.readMySQLLengthEncodedInteger(),
            fixedLength >= 10,
            let characterSet = buffer.readInteger(endianness: .little, as: UInt16.self),
            let columnLength = buffer.readInteger(endianness: .little, as: UInt32.self),
            let type = buffer.readInteger(as: UInt8.self),
            let flags = buffer.readInteger(endianness: .little, as: UInt16.self),
            let decimals = buffer.readInteger(as: UInt8.self)
        else {
            throw .malformed("column definition is truncated")
        }
        return MySQLColumnDefinition(
            catalog: catalog,
            schema: schema,
            table: table,
            originalTable: originalTable,
            name: name,
            originalName: originalName,
            characterSet: characterSet,
            columnLength: columnLength,
            type: type,
            flags: flags,
            decimals: decimals
        )
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMySQLLengthEncodedString(self.catalog)
        buffer.writeMySQLLengthEncodedString(self.schema)
        buffer.writeMySQLLengthEncodedString(self.table)
        buffer.writeMySQLLengthEncodedString(self.originalTable)
        buffer.writeMySQLLengthEncodedString(self.name)
        buffer.writeMySQLLengthEncodedString(self.originalName)
        buffer.writeMySQLLengthEncodedInteger(0x0C)
        buffer.writeInteger(self.characterSet, endianness: .little)
        buffer.writeInteger(self.columnLength, endianness: .little)
        buffer.writeInteger(self.type)
        buffer.writeInteger(self.flags, endianness: .little)
        buffer.writeInteger(self.decimals)
        buffer.writeRepeatingByte(0, count: 2)
    }
}
