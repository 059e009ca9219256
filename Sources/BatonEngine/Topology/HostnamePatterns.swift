import Foundation

/// orchestrator's `DataCenterPattern`, `RegionPattern` and `PhysicalEnvironmentPattern`: a regular expression
/// with one capture group, matched against an instance's host name.
public struct HostnamePatterns: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented as safe to use from several threads.
    private let dataCenter: NSRegularExpression?
    private let region: NSRegularExpression?
    private let physicalEnvironment: NSRegularExpression?

    /// Patterns are validated by the configuration loader; an invalid one here is treated as absent.
    public init(dataCenter: String = "", region: String = "", physicalEnvironment: String = "") {
        func compile(_ pattern: String) -> NSRegularExpression? {
            pattern.isEmpty ? nil : try? NSRegularExpression(pattern: pattern)
        }
        self.dataCenter = compile(dataCenter)
        self.region = compile(region)
        self.physicalEnvironment = compile(physicalEnvironment)
    }

    public func dataCenter(of hostname: String) -> String { Self.capture(dataCenter, hostname) }
    public func region(of hostname: String) -> String { Self.capture(region, hostname) }
    public func physicalEnvironment(of hostname: String) -> String { Self.capture(physicalEnvironment, hostname) }

    private static func capture(_ regex: NSRegularExpression?, _ hostname: String) -> String {
        guard let regex else { return "" }
        let range = NSRange(hostname.startIndex..., in: hostname)
        guard let match = regex.firstMatch(in: hostname, range: range), match.numberOfRanges > 1,
            let captured = Range(match.range(at: 1), in: hostname)
        else { return "" }
        return String(hostname[captured])
    }
}
