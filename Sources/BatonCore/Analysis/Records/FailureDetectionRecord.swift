import Foundation

/// A registered failure detection: the first time an actionable verdict appeared for an instance, kept active
/// until `endsActivePeriod` (orchestrator's `FailureDetectionPeriodBlockMinutes`) so one failure is one detection.
public struct FailureDetectionRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var key: InstanceKey
    public var clusterName: String
    public var analysis: AnalysisCode
    public var detectedAt: Date
    public var endsActivePeriod: Date
    /// The whole analysis row as JSON, as the API returns it.
    public var document: Data

    public init(
        id: Int64 = 0, key: InstanceKey, clusterName: String, analysis: AnalysisCode, detectedAt: Date,
        endsActivePeriod: Date, document: Data
    ) {
        self.id = id
        self.key = key
        self.clusterName = clusterName
        self.analysis = analysis
        self.detectedAt = detectedAt
        self.endsActivePeriod = endsActivePeriod
        self.document = document
    }

    public func isActive(at date: Date) -> Bool { date < endsActivePeriod }
}
