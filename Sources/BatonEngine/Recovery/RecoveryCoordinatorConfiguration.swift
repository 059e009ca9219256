/// What `RecoveryCoordinator` is configured with (`RecoveryCoordinator.Configuration`).
public struct RecoveryCoordinatorConfiguration: Sendable {
    public var recovery: BatonConfiguration.RecoverySettings
    public var pollSeconds: Int
    public var reasonableCheckSeconds: Int
    /// orchestrator's `FailureDetectionPeriodBlockMinutes`: detection hooks run once per detection period.
    public var detectionBlockSeconds: Int
    /// The longest the coordinator waits before reading the verdicts again, a safety net: it reads them at once
    /// when nudged — after every analysis of the detector, and when the Raft leadership changes — and at the
    /// bookkeeping's own deadlines.
    public var tickInterval: Duration
    /// A refused failure is looked at again this often (sooner when its verdict changes).
    public var reconsiderInterval: Duration

    public init(
        recovery: BatonConfiguration.RecoverySettings, pollSeconds: Int, reasonableCheckSeconds: Int,
        detectionBlockSeconds: Int = 3600, tickInterval: Duration = .seconds(1),
        reconsiderInterval: Duration = .seconds(1)
    ) {
        self.recovery = recovery
        self.pollSeconds = pollSeconds
        self.reasonableCheckSeconds = reasonableCheckSeconds
        self.detectionBlockSeconds = detectionBlockSeconds
        self.tickInterval = tickInterval
        self.reconsiderInterval = reconsiderInterval
    }
}
