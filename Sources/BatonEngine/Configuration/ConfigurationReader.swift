import BatonCore
import Foundation

/// Reads typed values out of a decoded JSON object, remembering which keys were read so that the rest can be
/// reported as unknown. Every failure names the key.
struct ConfigurationReader {
    private let object: [String: JSONValue]
    private(set) var consumed: Set<String> = []

    init(json: Data) throws(ConfigurationError) {
        let parsed: JSONValue
        do {
            parsed = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch let DecodingError.dataCorrupted(context) {
            let cause = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            throw ConfigurationError(key: nil, "the file is not valid JSON: \(context.debugDescription)\(cause)")
        } catch {
            throw ConfigurationError(key: nil, "the file is not valid JSON: \(error)")
        }
        guard case .object(let object) = parsed else {
            throw ConfigurationError(key: nil, "the file must contain one JSON object")
        }
        self.object = object
    }

    /// Keys present in the file that nobody read, sorted.
    var unknownKeys: [String] { object.keys.filter { !consumed.contains($0) }.sorted() }

    /// Marks keys another reader handles (the hook keys) as known.
    mutating func markKnown(_ keys: some Sequence<String>) {
        consumed.formUnion(keys)
    }

    /// Whether the file sets `key` (to anything but null).
    func has(_ key: String) -> Bool {
        object[key].map { $0 != .null } ?? false
    }

    private mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    mutating func string(_ key: String, default defaultValue: String) throws(ConfigurationError) -> String {
        guard let raw = value(key) else { return defaultValue }
        guard case .string(let string) = raw else { throw ConfigurationError(key: key, "expected a string") }
        return string
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let raw = value(key) else { return defaultValue }
        guard case .bool(let flag) = raw else { throw ConfigurationError(key: key, "expected true or false") }
        return flag
    }

    mutating func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let raw = value(key) else { return defaultValue }
        guard case .number(let number) = raw, number == number.rounded(), let integer = Int(exactly: number) else {
            throw ConfigurationError(key: key, "expected a whole number")
        }
        guard range.contains(integer) else {
            throw ConfigurationError(
                key: key, "\(integer) is out of range: expected \(range.lowerBound)...\(range.upperBound)")
        }
        return integer
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String] {
        guard let raw = value(key) else { return [] }
        guard case .array(let items) = raw else { throw ConfigurationError(key: key, "expected an array of strings") }
        var strings: [String] = []
        for item in items {
            guard case .string(let string) = item else {
                throw ConfigurationError(key: key, "expected an array of strings")
            }
            strings.append(string)
        }
        return strings
    }

    mutating func oneOf(_ key: String, default defaultValue: String, allowed: [String]) throws(ConfigurationError) -> String {
        let raw = try string(key, default: defaultValue)
        guard let match = allowed.first(where: { $0.caseInsensitiveCompare(raw) == .orderedSame }) else {
            throw ConfigurationError(
                key: key, "\"\(raw)\" is not one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return match
    }
}
