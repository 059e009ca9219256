/// One line a policy logged with `baton.log(level, message)` or `print(...)`.
public struct PolicyLogLine: Sendable, Hashable, CustomStringConvertible {
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case debug, info, notice, warning, error
    }

    public var level: Level
    public var message: String

    public init(level: Level, message: String) {
        self.level = level
        self.message = message
    }

    public var description: String { "[\(level.rawValue)] \(message)" }
}
