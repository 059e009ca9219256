import Foundation

/// orchestrator's timestamps: `2006-01-02 15:04:05`, in UTC, as its API and snapshots carry them.
public enum OrchestratorTimestamp {
    /// Formats a date as orchestrator does.
    public static func format(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(
            in: TimeZone(identifier: "UTC")!, from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }

    /// Parses a timestamp; `nil` when the text is not exactly that form or names no real date.
    public static func parse(_ text: String) -> Date? {
        let halves = text.split(separator: " ")
        guard halves.count == 2 else { return nil }
        let day = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        let time = halves[1].split(separator: ":", omittingEmptySubsequences: false)
        guard day.count == 3, time.count == 3, day[0].count == 4,
            day.dropFirst().allSatisfy({ $0.count == 2 }), time.allSatisfy({ $0.count == 2 })
        else { return nil }
        let numbers = (day + time).compactMap { Int($0) }
        guard numbers.count == 6, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]),
            (0...23).contains(numbers[3]), (0...59).contains(numbers[4]), (0...60).contains(numbers[5])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4],
            second: numbers[5])
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == numbers[2]
        else { return nil }
        return date
    }
}
