import Foundation
import Synchronization

/// A `Clock` whose time moves only when a test moves it, so that timeouts, intervals and deadlines are tested
/// without sleeping.
///
/// A task that sleeps on it registers a sleeper; `advance(to:)` and `advanceToNextTimer()` move time and resume
/// the sleepers that fell due, earliest deadline first. A sleeping task that is cancelled resumes at once with
/// `CancellationError`. `waitForSleepers(_:)` and `waitForSleeper(until:)` let a test wait, without sleeping,
/// until the code under test has gone to sleep. `wallNow` maps the clock onto dates for services that stamp `Date`s: pass `{ clock.wallNow }`
/// as their `now`.
public final class MockClock: Clock, Sendable {
    public typealias Duration = Swift.Duration

    public struct Instant: InstantProtocol, CustomStringConvertible {
        /// Time since the clock was made.
        public var offset: Swift.Duration

        public init(offset: Swift.Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "MockClock+\(offset)" }
    }

    struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// A test waiting until the sleepers' deadlines satisfy `condition`.
    struct SleeperWaiter {
        var id: Int
        var condition: @Sendable ([Instant]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    struct State {
        var now = Instant(offset: .zero)
        /// Ordered by deadline, then by registration.
        var sleepers: [Sleeper] = []
        var waiters: [SleeperWaiter] = []
        var nextID = 0

        mutating func takeID() -> Int {
            defer { nextID += 1 }
            return nextID
        }

        /// Removes the waiters whose condition now holds.
        mutating func satisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let deadlines = sleepers.map(\.deadline)
            let satisfied = waiters.filter { $0.condition(deadlines) }
            waiters.removeAll { $0.condition(deadlines) }
            return satisfied.map(\.continuation)
        }
    }
    private let state = Mutex(State())

    /// The date `now` stands for at the clock's start.
    public let epoch: Date

    public init(epoch: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        self.epoch = epoch
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Swift.Duration { .nanoseconds(1) }

    /// The date that `now` stands for: the epoch plus the time elapsed on this clock.
    public var wallNow: Date { date(at: now) }

    /// The date `instant` stands for.
    public func date(at instant: Instant) -> Date {
        let components = instant.offset.components
        return epoch.addingTimeInterval(Double(components.seconds) + Double(components.attoseconds) / 1e18)
    }

    /// The earliest deadline a task sleeps until, if any sleeps.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.first?.deadline } }

    /// How many tasks sleep on the clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        let id = state.withLock { $0.takeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration { case sleeping, due, cancelled }
                let (registration, satisfied) = state.withLock { state -> (Registration, [CheckedContinuation<Void, Never>]) in
                    if Task.isCancelled { return (.cancelled, []) }
                    if deadline <= state.now { return (.due, []) }
                    let index = state.sleepers.firstIndex { $0.deadline > deadline } ?? state.sleepers.endIndex
                    state.sleepers.insert(Sleeper(id: id, deadline: deadline, continuation: continuation), at: index)
                    return (.sleeping, state.satisfiedWaiters())
                }
                switch registration {
                case .sleeping: for waiter in satisfied { waiter.resume() }
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time to `instant` (never back) and resumes the sleepers due by then, earliest deadline first.
    public func advance(to instant: Instant) {
        let (due, satisfied) = state.withLock { state -> ([Sleeper], [CheckedContinuation<Void, Never>]) in
            guard instant > state.now else { return ([], []) }
            state.now = instant
            let count = state.sleepers.firstIndex { $0.deadline > instant } ?? state.sleepers.endIndex
            let due = Array(state.sleepers.prefix(count))
            state.sleepers.removeFirst(count)
            return (due, state.satisfiedWaiters())
        }
        for sleeper in due { sleeper.continuation.resume() }
        for waiter in satisfied { waiter.resume() }
    }

    /// Moves time forward by `duration`.
    public func advance(by duration: Swift.Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time to the earliest deadline a task sleeps until and resumes the sleepers due then.
    /// - Returns: the deadline, or `nil` (and time stands still) when no task sleeps.
    @discardableResult
    public func advanceToNextTimer() -> Instant? {
        guard let deadline = nextDeadline else { return nil }
        advance(to: deadline)
        return deadline
    }

    /// Returns once at least `count` tasks sleep on the clock (at once if they already do), or when the waiting
    /// task is cancelled.
    public func waitForSleepers(_ count: Int) async {
        await waitForSleepers { $0.count >= count }
    }

    /// Returns once a task sleeps until `deadline` (at once if one already does), or when the waiting task is
    /// cancelled.
    public func waitForSleeper(until deadline: Instant) async {
        await waitForSleepers { $0.contains(deadline) }
    }

    /// Returns once the deadlines of the sleeping tasks, earliest first, satisfy `condition`, or when the waiting
    /// task is cancelled.
    public func waitForSleepers(where condition: @escaping @Sendable ([Instant]) -> Bool) async {
        let id = state.withLock { $0.takeID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard !condition(state.sleepers.map(\.deadline)), !Task.isCancelled else { return false }
                    state.waiters.append(SleeperWaiter(id: id, condition: condition, continuation: continuation))
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> SleeperWaiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }
}
