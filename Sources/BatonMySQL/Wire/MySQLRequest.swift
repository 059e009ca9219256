import NIOCore

/// A command handed from ``MySQLConnection`` to ``MySQLChannelHandler`` through `Channel.write`.
struct MySQLRequest: Sendable {
    var command: MySQLCommand
    /// How long the command may run once it is sent; past that the connection is closed.
    var timeout: Duration
    var promise: EventLoopPromise<MySQLQueryResult>
}

/// Sent with `Channel.triggerUserOutboundEvent` when the task awaiting the connect or a command is cancelled.
struct MySQLCancelEvent: Sendable {}
