#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `baton.match`: POSIX extended regular expressions (`regcomp`/`regexec`), bounded so a match stays fast:
/// patterns of at most 256 bytes, no back-references (the only exponential construct), interval bounds
/// (`{m,n}`) of at most 32 and at most three of them, subjects of at most 64 KiB without NUL bytes.
enum PosixRegex {
    static let maxPatternBytes = 256
    static let maxSubjectBytes = 64 << 10
    static let maxIntervalBound = 32
    static let maxIntervals = 3

    static func matches(_ text: String, pattern: String) -> Result<Bool, RegexError> {
        if let problem = validate(pattern) { return .failure(RegexError(message: problem)) }
        guard text.utf8.count <= maxSubjectBytes else {
            return .failure(RegexError(message: "text longer than \(maxSubjectBytes) bytes"))
        }
        guard !text.utf8.contains(0) else { return .failure(RegexError(message: "text contains a NUL byte")) }
        var regex = regex_t()
        let compiled = pattern.withCString { regcomp(&regex, $0, REG_EXTENDED | REG_NOSUB) }
        guard compiled == 0 else {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(compiled, &regex, &buffer, buffer.count)
            let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(RegexError(message: "invalid regular expression: \(reason)"))
        }
        defer { regfree(&regex) }
        let result = text.withCString { regexec(&regex, $0, 0, nil, 0) }
        return .success(result == 0)
    }

    /// Why `pattern` is refused, or `nil`.
    static func validate(_ pattern: String) -> String? {
        let bytes = Array(pattern.utf8)
        guard bytes.count <= maxPatternBytes else { return "pattern longer than \(maxPatternBytes) bytes" }
        guard !bytes.contains(0) else { return "pattern contains a NUL byte" }
        var intervals = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index + 1]) {
                    return "back-references are not supported"
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "{") {
                intervals += 1
                guard intervals <= maxIntervals else { return "more than \(maxIntervals) interval expressions" }
                var number = 0
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "}") {
                    if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                        number = min(number * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000)
                        guard number <= maxIntervalBound else {
                            return "interval bounds above \(maxIntervalBound) are not supported"
                        }
                    } else {
                        number = 0
                    }
                    index += 1
                }
            }
            index += 1
        }
        return nil
    }
}

struct RegexError: Error, Sendable {
    var message: String
}
