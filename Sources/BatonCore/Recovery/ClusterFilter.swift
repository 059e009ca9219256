import Foundation

/// orchestrator's `RecoverMasterClusterFilters` / `RecoverIntermediateMasterClusterFilters`: which clusters may be
/// recovered automatically. An entry is `*` (every cluster), `alias=NAME`, `alias~=REGEX`, an exact cluster name or
/// alias, or a regular expression matched against the cluster name. An empty list allows nothing (opt-in).
public struct ClusterFilter: Sendable, Equatable {
    public let entries: [String]

    public init(_ entries: [String]) {
        self.entries = entries
    }

    /// The entries that are not valid regular expressions (for configuration validation).
    public var invalidEntries: [String] {
        entries.filter { entry in
            if entry == "*" || entry.hasPrefix("alias=") { return false }
            let pattern = entry.hasPrefix("alias~=") ? String(entry.dropFirst(7)) : entry
            return (try? NSRegularExpression(pattern: pattern)) == nil
        }
    }

    /// The entry that allows `cluster`, or `nil` when none does.
    public func matchingEntry(cluster: String, alias: String = "") -> String? {
        entries.first { entry in
            if entry == "*" { return true }
            if entry.hasPrefix("alias=") { return !alias.isEmpty && String(entry.dropFirst(6)) == alias }
            if entry.hasPrefix("alias~=") { return !alias.isEmpty && Self.matches(String(entry.dropFirst(7)), alias) }
            if entry == cluster || (!alias.isEmpty && entry == alias) { return true }
            return Self.matches(entry, cluster)
        }
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
