/// An orchestrator command string split into literal shell text and placeholders, each placeholder tagged with the
/// quoting context it stands in, so that a substituted value is always quoted for exactly that context.
///
/// Naive quoting (`'value'` everywhere) is not enough: inside `"…"` a single quote is literal and `$(…)` still
/// runs, and inside `'…'` the inserted quotes would close and reopen the string around a bare value. The scanner
/// understands backslashes, `'…'`, `"…"`, `$(…)` (nested, with quotes restarting inside) and `#` comments. Placeholders
/// inside backquotes, `$'…'`, `${…}`, `$((…))` or after a here-document marker are refused, not guessed.
struct ShellTemplate: Sendable, Hashable {
    enum Context: Sendable, Hashable {
        case unquoted, singleQuoted, doubleQuoted
        /// In a `#` comment: the placeholder is left literally (a newline in a value would end the comment).
        case comment
        case unsupported(String)
    }

    enum Segment: Sendable, Hashable {
        case literal(String)
        case placeholder(name: String, context: Context)
    }

    private(set) var segments: [Segment] = []
    /// Why the template cannot be run safely; empty when it can.
    private(set) var problems: [String] = []

    private enum Frame {
        case top, substitution(depth: Int), single, double, ansiC, backtick, parameter(depth: Int), arithmetic(depth: Int)
        case comment
    }

    /// - Parameter placeholders: the names substituted; any other `{word}` stays literal text.
    init(parsing text: String, placeholders: Set<String>) {
        let s = Array(text.unicodeScalars)
        var stack: [Frame] = [.top]
        var literal = String.UnicodeScalarView()
        var afterHereDocument = false
        var i = 0

        func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }
        func copy(_ count: Int) {
            for _ in 0..<count where i < s.count {
                literal.append(s[i])
                i += 1
            }
        }
        func atWordStart() -> Bool {
            guard i > 0 else { return true }
            return " \t\n;&|()<>".unicodeScalars.contains(s[i - 1])
        }
        func placeholderName() -> String? {
            guard s[i] == "{" else { return nil }
            var j = i + 1
            while j < s.count, ("A"..."Z").contains(s[j]) || ("a"..."z").contains(s[j]) || ("0"..."9").contains(s[j]) {
                j += 1
            }
            guard j < s.count, s[j] == "}", j > i + 1 else { return nil }
            let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
            return placeholders.contains(name) ? name : nil
        }
        func context() -> Context {
            if afterHereDocument { return .unsupported("after a here-document marker (<<)") }
            for frame in stack {
                switch frame {
                case .backtick: return .unsupported("inside backquotes; use $(…)")
                case .parameter: return .unsupported("inside ${…}")
                case .arithmetic: return .unsupported("inside $((…))")
                case .ansiC: return .unsupported("inside $'…'")
                default: continue
                }
            }
            switch stack.last! {
            case .single: return .singleQuoted
            case .double: return .doubleQuoted
            case .comment: return .comment
            default: return .unquoted
            }
        }

        while i < s.count {
            if let name = placeholderName() {
                if !literal.isEmpty { segments.append(.literal(String(literal))) }
                literal = String.UnicodeScalarView()
                let context = context()
                if case .unsupported(let reason) = context { problems.append("placeholder {\(name)} \(reason)") }
                segments.append(.placeholder(name: name, context: context))
                i += name.unicodeScalars.count + 2
                continue
            }
            let c = s[i]
            switch stack.last! {
            case .single:
                if c == "'" { stack.removeLast() }
                copy(1)
            case .ansiC:
                if c == "\\" { copy(2); continue }
                if c == "'" { stack.removeLast() }
                copy(1)
            case .comment:
                if c == "\n" { stack.removeLast() }
                copy(1)
            case .backtick:
                if c == "\\" { copy(2); continue }
                if c == "`" { stack.removeLast() }
                copy(1)
            case .arithmetic(let depth):
                if c == "(" {
                    stack[stack.count - 1] = .arithmetic(depth: depth + 1)
                } else if c == ")" {
                    if depth > 0 {
                        stack[stack.count - 1] = .arithmetic(depth: depth - 1)
                    } else if peek(1) == ")" {
                        stack.removeLast()
                        copy(1)
                    }
                }
                copy(1)
            case .double:
                if c == "\\" { copy(2); continue }
                if c == "\"" {
                    stack.removeLast()
                    copy(1)
                } else if c == "`" {
                    stack.append(.backtick)
                    copy(1)
                } else if c == "$" {
                    openDollar()
                } else {
                    copy(1)
                }
            case .top, .substitution, .parameter:
                if c == "\\" { copy(2); continue }
                switch c {
                case "'":
                    stack.append(.single)
                    copy(1)
                case "\"":
                    stack.append(.double)
                    copy(1)
                case "`":
                    stack.append(.backtick)
                    copy(1)
                case "$":
                    if peek(1) == "'" {
                        stack.append(.ansiC)
                        copy(2)
                    } else {
                        openDollar()
                    }
                case "#" where atWordStart() && !isParameter(stack.last!):
                    stack.append(.comment)
                    copy(1)
                case "<" where peek(1) == "<" && !isParameter(stack.last!):
                    if peek(2) == "<" {
                        copy(3)
                    } else {
                        afterHereDocument = true
                        copy(2)
                    }
                case "(", ")", "{", "}":
                    adjustDepth(c)
                default:
                    copy(1)
                }
            }
        }
        if !literal.isEmpty { segments.append(.literal(String(literal))) }
        if stack.count > 1, !isComment(stack.last!) || stack.count > 2 {
            problems.append("unterminated quote or substitution")
        }

        func isParameter(_ frame: Frame) -> Bool {
            if case .parameter = frame { return true }
            return false
        }
        func isComment(_ frame: Frame) -> Bool {
            if case .comment = frame { return true }
            return false
        }
        func openDollar() {
            if peek(1) == "(" && peek(2) == "(" {
                stack.append(.arithmetic(depth: 0))
                copy(3)
            } else if peek(1) == "(" {
                stack.append(.substitution(depth: 0))
                copy(2)
            } else if peek(1) == "{" {
                stack.append(.parameter(depth: 0))
                copy(2)
            } else {
                copy(1)
            }
        }
        func adjustDepth(_ c: Unicode.Scalar) {
            switch (stack.last!, c) {
            case (.substitution(let depth), "("):
                stack[stack.count - 1] = .substitution(depth: depth + 1)
            case (.substitution(let depth), ")"):
                if depth == 0 { stack.removeLast() } else { stack[stack.count - 1] = .substitution(depth: depth - 1) }
            case (.parameter(let depth), "{"):
                stack[stack.count - 1] = .parameter(depth: depth + 1)
            case (.parameter(let depth), "}"):
                if depth == 0 { stack.removeLast() } else { stack[stack.count - 1] = .parameter(depth: depth - 1) }
            default:
                break
            }
            copy(1)
        }
    }

    /// The script with every placeholder that has a value replaced by that value quoted for its context;
    /// placeholders without a value (and those in comments) stay literally.
    /// - Precondition: `problems` is empty.
    func render(values: [String: String]) -> String {
        var script = ""
        for segment in segments {
            switch segment {
            case .literal(let text):
                script += text
            case .placeholder(let name, let context):
                guard let value = values[name].map(ShellQuoting.removingNUL) else {
                    script += "{\(name)}"
                    continue
                }
                switch context {
                case .unquoted: script += ShellQuoting.quote(value)
                case .singleQuoted: script += value.replacing("'", with: "'\\''")
                case .doubleQuoted: script += ShellQuoting.escapeForDoubleQuotes(value)
                case .comment, .unsupported: script += "{\(name)}"
                }
            }
        }
        return script
    }
}

/// Quoting for POSIX shells.
public enum ShellQuoting {
    /// `value` as one single-quoted shell word: `'it'\''s'`. Safe in any unquoted shell context.
    public static func quote(_ value: String) -> String {
        "'" + removingNUL(value).replacing("'", with: "'\\''") + "'"
    }

    /// `value` with `\`, `$`, `` ` `` and `"` escaped, for use between double quotes.
    static func escapeForDoubleQuotes(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\\" || character == "$" || character == "`" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// C strings end at NUL: a NUL inside a value would cut the script in the middle of a quote.
    static func removingNUL(_ value: String) -> String {
        value.contains("\0") ? value.replacing("\0", with: "") : value
    }
}

/// Substitution of `{name}` placeholders in plain text (argv elements): one pass, so a value that itself contains
/// `{…}` is never substituted again. Names without a value stay literally.
enum PlaceholderText {
    static func substitute(_ text: String, values: [String: String]) -> String {
        guard text.contains("{") else { return text }
        var result = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"),
                let value = values[String(rest[afterOpen..<close])]
            {
                result += ShellQuoting.removingNUL(value)
                rest = rest[rest.index(after: close)...]
            } else {
                result += "{"
                rest = rest[afterOpen...]
            }
        }
        return result + rest
    }

    /// Every `{word}` in `text` (letters and digits only), in order of appearance.
    static func names(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(where: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
            else { break }
            if rest[close] == "}", close > afterOpen { names.append(String(rest[afterOpen..<close])) }
            rest = rest[close...]
        }
        return names
    }
}
