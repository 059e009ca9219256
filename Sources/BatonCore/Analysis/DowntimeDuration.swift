/// The `:duration` of `begin-downtime`: `30s`, `10m`, `2h`, `1d`, or combinations such as `1h30m`; `0` or
/// nothing means the default of ten minutes (orchestrator's `MaintenanceExpireMinutes`).
public enum DowntimeDuration {
    public static let defaultSeconds: Double = 600
    /// The longest downtime accepted: 100 years. The digits of a duration are not bounded, so without a limit an API
    /// path could set a downtime ending in the year 500,000 or at an infinite date (stored as `Inf`).
    public static let maximumSeconds: Double = 36_500 * 86_400

    /// Seconds, or `nil` when the text is not a duration or is longer than `maximumSeconds`.
    public static func parse(_ text: String?) -> Double? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text != "0" else {
            return defaultSeconds
        }
        var total = 0.0
        var number = ""
        for character in text {
            if character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty, total > 0, total <= maximumSeconds else { return nil }
        return total
    }
}

import Foundation
