import Foundation

/// The configuration that limits which replica may be promoted (orchestrator's keys).
public struct PromotionConstraints: Sendable {
    /// `PreventCrossDataCenterMasterFailover`, `PreventCrossRegionMasterFailover`.
    public var preventCrossDataCenter: Bool
    public var preventCrossRegion: Bool
    /// `FailMasterPromotionOnLagMinutes` (0: off). A candidate whose last known lag is longer is excluded.
    public var failOnLagMinutes: Int
    /// `FailMasterPromotionIfSQLThreadNotUpToDate`: a candidate that has not applied all it received is excluded.
    public var failIfSQLThreadNotUpToDate: Bool
    /// `PromotionIgnoreHostnameFilters`: regular expressions; a matching host name is never promoted.
    public var ignoreHostnameFilters: [String]

    public init(
        preventCrossDataCenter: Bool = false, preventCrossRegion: Bool = false, failOnLagMinutes: Int = 0,
        failIfSQLThreadNotUpToDate: Bool = false, ignoreHostnameFilters: [String] = []
    ) {
        self.preventCrossDataCenter = preventCrossDataCenter
        self.preventCrossRegion = preventCrossRegion
        self.failOnLagMinutes = failOnLagMinutes
        self.failIfSQLThreadNotUpToDate = failIfSQLThreadNotUpToDate
        self.ignoreHostnameFilters = ignoreHostnameFilters
    }

    func ignoredFilter(matching hostname: String) -> String? {
        ignoreHostnameFilters.first { pattern in
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
            return regex.firstMatch(in: hostname, range: NSRange(hostname.startIndex..., in: hostname)) != nil
        }
    }
}
