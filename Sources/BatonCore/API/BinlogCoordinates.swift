/// A binary or relay log position, orchestrator's `{"LogFile", "LogPos", "Type"}` (Type 0 binlog, 1 relay log).
public struct BinlogCoordinates: Hashable, Sendable, Codable {
    public var logFile: String
    public var logPos: Int64
    public var type: Int

    public init(logFile: String, logPos: Int64, type: Int = 0) {
        self.logFile = logFile
        self.logPos = logPos
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case logFile = "LogFile"
        case logPos = "LogPos"
        case type = "Type"
    }
}
