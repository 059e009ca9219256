import Foundation

/// An operator's promise that an instance is down on purpose: analysis still reports it, marked skippable.
public struct Downtime: Hashable, Sendable, Codable {
    public var key: InstanceKey
    public var owner: String
    public var reason: String
    public var endsAt: Date

    public init(key: InstanceKey, owner: String = "", reason: String = "", endsAt: Date) {
        self.key = key
        self.owner = owner
        self.reason = reason
        self.endsAt = endsAt
    }

    /// A downtime is in force until its end, exclusive.
    public func isActive(at now: Date) -> Bool { now < endsAt }
}
