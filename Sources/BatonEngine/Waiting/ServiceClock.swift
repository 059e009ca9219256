/// The clock a service waits and measures on, whatever its type: the daemon passes `ContinuousClock`, tests a
/// `MockClock` they advance by hand. Type-erased so that the services that hold one keep a plain type.
public struct ServiceClock: Sendable {
    private let sleepFor: @Sendable (Duration) async throws -> Void
    private let startStopwatch: @Sendable () -> @Sendable () -> Duration

    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        sleepFor = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
        startStopwatch = {
            let start = clock.now
            return { start.duration(to: clock.now) }
        }
    }

    /// Sleeps for `duration` on the clock; throws `CancellationError` when the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        try await sleepFor(duration)
    }

    /// Starts measuring: the returned function answers the time elapsed since.
    public func stopwatch() -> @Sendable () -> Duration {
        startStopwatch()
    }
}
