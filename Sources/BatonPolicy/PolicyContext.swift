import Foundation

/// What a recovery passes as `context` to `rank`, `pre_failover` and `post_failover`. The policy never reads a
/// clock: `now` comes from here, so a dry run can replay any moment.
public struct PolicyContext: Sendable, Hashable {
    public var now: Date
    public var cluster: String
    /// The analysis that triggered the recovery, when there is one.
    public var analysis: PolicyAnalysis?
    /// The Baton node running the decision.
    public var node: String
    /// Free-form values (recovery id, operator-supplied labels), passed as `context.values`.
    public var values: [String: String]

    public init(
        now: Date, cluster: String, analysis: PolicyAnalysis? = nil, node: String = "",
        values: [String: String] = [:]
    ) {
        self.now = now
        self.cluster = cluster
        self.analysis = analysis
        self.node = node
        self.values = values
    }

    var luaValue: LuaInput {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: now)
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        // Calendar weekday: 1 = Sunday; ISO 8601 weekday: 1 = Monday … 7 = Sunday.
        let weekday = ((parts.weekday ?? 1) + 5) % 7 + 1
        let iso = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        return .record([
            ("now", .integer(seconds)),
            ("now_iso", .string(iso)),
            (
                "utc",
                .record([
                    ("year", .integer(Int64(parts.year ?? 1970))), ("month", .integer(Int64(parts.month ?? 1))),
                    ("day", .integer(Int64(parts.day ?? 1))), ("hour", .integer(Int64(parts.hour ?? 0))),
                    ("minute", .integer(Int64(parts.minute ?? 0))), ("second", .integer(Int64(parts.second ?? 0))),
                    ("weekday", .integer(Int64(weekday))),
                ])
            ),
            ("cluster", .string(cluster)),
            ("node", .string(node)),
            ("analysis", analysis?.luaValue ?? .null),
            ("values", .record(values.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ])
    }
}
