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
            let detail = Self.syntaxError(in: json) ?? "\(context.debugDescription)\(cause)"
            throw ConfigurationError(key: nil, "the file is not valid JSON: \(detail)")
        } catch {
            throw ConfigurationError(key: nil, "the file is not valid JSON: \(Self.syntaxError(in: json) ?? "\(error)")")
        }
        guard case .object(let object) = parsed else {
            throw ConfigurationError(key: nil, "the file must contain one JSON object")
        }
        // The decoder keeps one value of a repeated key silently (the first), orchestrator's the last: refuse.
        if let repeated = Self.firstRepeatedKey(in: json) {
            throw ConfigurationError(
                key: repeated, "is set more than once: keep one (orchestrator would use the last value, Baton the first)")
        }
        self.object = object
    }

    /// Where the JSON parser stopped, as `Invalid value around character 22 (line 3, column 8)`: the decoder's own
    /// error only says that the data was not valid JSON. Nil when the parser says nothing more.
    static func syntaxError(in json: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
            return nil
        } catch {
            guard var text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String, !text.isEmpty else {
                return nil
            }
            if text.hasSuffix(".") { text.removeLast() }
            if let range = text.range(of: "character "),
                let offset = Int(text[range.upperBound...].prefix(while: \.isNumber)), offset <= json.count
            {
                let before = json.prefix(offset)
                let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
                let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 - json.startIndex + 1 } ?? 0) + 1
                text += " (line \(line), column \(column))"
            }
            return text
        }
    }

    /// The first key of the top-level object that appears twice, in a file already parsed as one JSON object.
    static func firstRepeatedKey(in json: Data) -> String? {
        let bytes = [UInt8](json)
        var depth = 0
        var seen: Set<String> = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard depth == 1, index < bytes.count else { break }
                var next = index + 1
                while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                // A string followed by a colon at depth 1 is a key of the top-level object; decoding it resolves
                // escapes, so "\u0044ebug" and "Debug" are one key.
                if next < bytes.count, bytes[next] == UInt8(ascii: ":"),
                    let key = try? JSONDecoder().decode(String.self, from: Data(bytes[start...index])),
                    !seen.insert(key).inserted
                {
                    return key
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            index += 1
        }
        return nil
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
