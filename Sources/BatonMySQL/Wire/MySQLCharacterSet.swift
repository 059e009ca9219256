/// Collation ids used in the handshake.
public enum MySQLCharacterSet {
    /// `utf8mb4_general_ci`, understood by every MySQL 5.5.3+ and MariaDB server.
    public static let utf8mb4GeneralCI: UInt8 = 45
    /// `binary`, the collation of binary columns.
    public static let binary: UInt8 = 63
}
