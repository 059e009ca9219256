import BatonCore

/// What the failure detector needs from the configuration file.
public struct DetectionConfiguration: Sendable {
    public var analysis: AnalysisSettings
    /// orchestrator's `FailureDetectionPeriodBlockMinutes`: one failure of an instance is one detection for this long.
    public var detectionBlockSeconds: Int
    /// Analysis runs at least this often, and within `reactionInterval` of any probe result that changes a failure
    /// signal (`InstanceRegistry.failureSignalVersion`).
    public var interval: Duration
    public var reactionInterval: Duration

    public init(
        analysis: AnalysisSettings = AnalysisSettings(), detectionBlockSeconds: Int = 3600,
        interval: Duration = .seconds(1), reactionInterval: Duration = .milliseconds(20)
    ) {
        self.analysis = analysis
        self.detectionBlockSeconds = detectionBlockSeconds
        self.interval = interval
        self.reactionInterval = reactionInterval
    }
}

extension DetectionConfiguration {
    public init(_ configuration: BatonConfiguration) {
        self.init(
            analysis: configuration.analysisSettings,
            detectionBlockSeconds: configuration.detection.failureDetectionPeriodBlockMinutes * 60)
    }
}
