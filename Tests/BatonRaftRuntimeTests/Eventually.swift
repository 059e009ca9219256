/// Raised when a condition awaited by ``eventually(_:timeout:_:)`` did not hold in time.
struct ConditionNotMet: Error, CustomStringConvertible {
    let what: String
    var description: String { "condition not met in time: \(what)" }
}

/// Polls `condition` until it holds; throws after `timeout`. Timeouts are generous: tests assert behaviour, never
/// how fast it happens.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    if try await condition() { return }
    throw ConditionNotMet(what: what)
}

/// Like ``eventually(_:timeout:_:)`` but returns the first non-nil value.
func eventuallyValue<T>(
    _ what: String, timeout: Duration = .seconds(30), _ value: () async throws -> T?
) async throws -> T {
    var found: T?
    try await eventually(what, timeout: timeout) {
        found = try await value()
        return found != nil
    }
    return found!
}
