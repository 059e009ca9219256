/// The `:duration` of `begin-downtime`: `30s`, `10m`, `2h`, `1d`, or combinations such as `1h30m`; `0` or
/// nothing means the default of ten minutes (orchestrator's `MaintenanceExpireMinutes`).
public enum DowntimeDuration {
    public static let defaultSeconds: Double = 600

    /// Seconds, or `nil` when the text is not a duration.
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
        guard number.isEmpty, total > 0 else { return nil }
        return total
    }
}

import Foundation
