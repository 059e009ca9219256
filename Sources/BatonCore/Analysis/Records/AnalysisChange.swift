import Foundation

/// One change of an instance's analysis code.
public struct AnalysisChange: Sendable, Equatable {
    public var key: InstanceKey
    public var analysis: AnalysisCode
    public var changedAt: Date

    public init(key: InstanceKey, analysis: AnalysisCode, changedAt: Date) {
        self.key = key
        self.analysis = analysis
        self.changedAt = changedAt
    }
}
