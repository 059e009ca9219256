/// Where and how to connect to one MySQL or MariaDB server.
public struct MySQLConnectionConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    /// The password; never printed (``description`` redacts it).
    public var password: String
    /// The initial default database, if any.
    public var database: String?
    /// The deadline for TCP connect, TLS and authentication together.
    public var connectTimeout: Duration
    /// The default deadline for each command; a command that misses it closes the connection.
    public var queryTimeout: Duration
    public var tls: MySQLTLSConfiguration
    /// The largest packet payload accepted from the server, in bytes; larger ones fail with `packetTooLarge`.
    public var maxPacketSize: Int
    /// The most bytes one query result may hold in memory; larger results fail with `packetTooLarge` and close
    /// the connection.
    public var maxResultSize: Int

    public init(
        host: String,
        port: Int = 3306,
        user: String,
        password: String,
        database: String? = nil,
        connectTimeout: Duration = .seconds(2),
        queryTimeout: Duration = .seconds(5),
        tls: MySQLTLSConfiguration = .disabled,
        maxPacketSize: Int = MySQLPacketDecoder.defaultMaxPayloadSize,
        maxResultSize: Int = 64 * 1024 * 1024
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.queryTimeout = queryTimeout
        self.tls = tls
        self.maxPacketSize = maxPacketSize
        self.maxResultSize = maxResultSize
    }

    public var description: String {
        "MySQLConnectionConfiguration(host: \(self.host), port: \(self.port), user: \(self.user), "
            + "password: \(self.password.isEmpty ? "<empty>" : "<redacted>"), database: \(self.database ?? "<none>"), "
            + "connectTimeout: \(self.connectTimeout), queryTimeout: \(self.queryTimeout), tls: \(self.tls.mode.rawValue), "
            + "maxPacketSize: \(self.maxPacketSize), maxResultSize: \(self.maxResultSize))"
    }
}

extension MySQLConnectionConfiguration: CustomDebugStringConvertible {
    public var debugDescription: String { self.description }
}

extension MySQLConnectionConfiguration: CustomReflectable {
    /// Mirrors the configuration with the password redacted, so `dump` and debuggers do not reveal it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": self.host, "port": self.port, "user": self.user, "password": "<redacted>",
                "database": self.database as Any, "connectTimeout": self.connectTimeout,
                "queryTimeout": self.queryTimeout, "tls": self.tls, "maxPacketSize": self.maxPacketSize,
                "maxResultSize": self.maxResultSize,
            ],
            displayStyle: .struct
        )
    }
}
