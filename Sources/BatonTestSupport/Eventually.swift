/// Waiting on the real clock, for tests against real servers, processes and sockets only: they assert behaviour,
/// never how fast it happens, so timeouts are generous. Unit tests never wait like this; they drive a `MockClock`.

/// Raised by ``requireEventually(_:timeout:interval:_:)`` when a condition did not hold in time.
public struct ConditionNotMet: Error, CustomStringConvertible {
    public let what: String
    public init(what: String) { self.what = what }
    public var description: String { "condition not met in time: \(what)" }
}

/// Calls `read` every `interval` until its value satisfies `condition` or `timeout` passes; returns the last value
/// read and whether it satisfied the condition.
public func eventuallyValue<T>(
    timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20), _ read: () async throws -> T?,
    until condition: (T) -> Bool = { _ in true }
) async rethrows -> (value: T?, satisfied: Bool) {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var last: T?
    while true {
        if let value = try await read() {
            last = value
            if condition(value) { return (value, true) }
        }
        if clock.now >= deadline { return (last, false) }
        try? await Task.sleep(for: interval)
    }
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
@discardableResult
public func eventually(
    timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    try await eventuallyValue(timeout: timeout, interval: interval, { try await condition() ? true : nil }).satisfied
}

/// Like ``eventually(timeout:interval:_:)``, but throws ``ConditionNotMet`` naming `what` when it does not hold.
public func requireEventually(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    guard try await eventually(timeout: timeout, interval: interval, condition) else { throw ConditionNotMet(what: what) }
}

/// The first non-nil value `read` returns; throws ``ConditionNotMet`` naming `what` when none comes in time.
public func requireEventuallyValue<T>(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20),
    _ read: () async throws -> T?
) async throws -> T {
    guard let value = try await eventuallyValue(timeout: timeout, interval: interval, read).value else {
        throw ConditionNotMet(what: what)
    }
    return value
}
