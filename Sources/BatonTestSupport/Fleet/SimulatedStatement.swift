import Foundation

/// A statement a simulated server understands, recognised from SQL text. Anything else is `unsupported` and
/// answered with a syntax error, as a real server answers what it cannot parse.
enum SimulatedStatement: Sendable, Equatable {
    /// Which `Variable_name`s a `SHOW VARIABLES` / `SHOW STATUS` asks for.
    enum NameFilter: Sendable, Equatable {
        case all
        /// Lower-cased names of `WHERE Variable_name IN (…)` (or `= '…'`).
        case names([String])
        /// `LIKE 'pattern'` with `%` and `_`.
        case like(String)
    }

    enum Threads: Sendable, Equatable {
        case both, io, sql
    }

    /// How the statement spelled replication: `SLAVE`/`MASTER` or `REPLICA`/`SOURCE`.
    enum Spelling: Sendable, Equatable {
        case slave, replica
    }

    case showVariables(NameFilter)
    case showStatus(NameFilter)
    /// `SHOW MASTER STATUS` (`.slave`), `SHOW BINARY LOG STATUS` (`.replica`), MariaDB's `SHOW BINLOG STATUS`.
    case showBinlogStatus(binaryLog: Bool, binlog: Bool)
    case showReplicationStatus(Spelling)
    /// `SHOW SLAVE HOSTS`, `SHOW REPLICAS` (MySQL), `SHOW REPLICA HOSTS` (MariaDB).
    case showReplicaHosts(slaveHosts: Bool, replicas: Bool)
    /// The prober's fallback: `SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN (…)`.
    case binlogDumpHosts
    case stopReplication(Threads, Spelling)
    case startReplication(Threads, Spelling)
    case resetReplication(all: Bool, Spelling)
    /// `CHANGE MASTER TO` (`.slave`) or `CHANGE REPLICATION SOURCE TO` (`.replica`); option names upper-cased
    /// with their `MASTER_`/`SOURCE_` prefix removed (`HOST`, `PORT`, `USE_GTID`, `AUTO_POSITION`, …).
    case changeSource([Option], Spelling)
    /// `SET GLOBAL name = value, …` (names lower-cased, values unquoted).
    case setGlobal([Option])
    /// `SET name = value` of a global-only variable without GLOBAL: the server refuses it.
    case setWithoutGlobal(String)
    /// `SELECT MASTER_GTID_WAIT('pos', timeout)` / `SELECT WAIT_FOR_EXECUTED_GTID_SET('set', timeout)`.
    case gtidWait(function: String, label: String, gtids: String, timeout: Double?)
    /// `SELECT MASTER_POS_WAIT('file', pos, timeout)` / `SOURCE_POS_WAIT(…)`.
    case positionWait(function: String, label: String, file: String, position: Int64, timeout: Double?)
    /// `SELECT @@a, @@global.b, 1`: labels as written, variable names lower-cased (nil for a literal).
    case selectValues([SelectItem])
    /// A statement that changes data (`INSERT`, `CREATE`, …): one transaction.
    case write
    /// `SHOW WARNINGS`: the warnings of the previous statement.
    case showWarnings
    /// Accepted and ignored (`SET NAMES`, `SET SESSION …`, `BEGIN`, `COMMIT`, `USE`, `DO`, `FLUSH …`).
    case ignored
    /// Not understood; `near` is the text a syntax error quotes.
    case unsupported(near: String)

    struct Option: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// One column of `SELECT @@x, 1`: its label, and the variable (lower-cased) or literal it shows.
    struct SelectItem: Sendable, Equatable {
        var label: String
        var variable: String?
        var literal: String?
    }

    /// Recognises `sql`. Keywords are matched case-insensitively; values keep their case.
    static func parse(_ sql: String) -> SimulatedStatement {
        let text = normalize(sql)
        let upper = text.uppercased()
        let words = upper.split(separator: " ").map(String.init)
        guard let first = words.first else { return .unsupported(near: "") }

        func rest(after count: Int) -> String {
            text.split(separator: " ", maxSplits: count, omittingEmptySubsequences: true).dropFirst(count)
                .joined(separator: " ")
        }
        func startsWith(_ expected: String...) -> Bool {
            words.count >= expected.count && Array(words.prefix(expected.count)) == expected
        }

        switch first {
        case "SHOW":
            return parseShow(text, upper: upper, words: words)
        case "STOP", "START":
            if startsWith("START", "TRANSACTION") { return .ignored }
            guard words.count >= 2, words[1] == "SLAVE" || words[1] == "REPLICA" else {
                return .unsupported(near: rest(after: 1))
            }
            let spelling: Spelling = words[1] == "SLAVE" ? .slave : .replica
            var threads = Threads.both
            if words.count > 2 {
                let named = Set(words[2...].joined(separator: " ").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                })
                if named == ["IO_THREAD"] {
                    threads = .io
                } else if named == ["SQL_THREAD"] {
                    threads = .sql
                } else if named != ["IO_THREAD", "SQL_THREAD"] {
                    return .unsupported(near: rest(after: 2))
                }
            }
            return first == "STOP" ? .stopReplication(threads, spelling) : .startReplication(threads, spelling)
        case "RESET":
            guard words.count >= 2, words[1] == "SLAVE" || words[1] == "REPLICA" else {
                return words.count >= 2 && words[1] == "MASTER" ? .ignored : .unsupported(near: rest(after: 1))
            }
            let all = words.count == 3 && words[2] == "ALL"
            guard words.count == 2 || all else { return .unsupported(near: rest(after: 2)) }
            return .resetReplication(all: all, words[1] == "SLAVE" ? .slave : .replica)
        case "CHANGE":
            if startsWith("CHANGE", "MASTER", "TO") {
                guard let options = parseOptions(rest(after: 3), stripping: "MASTER_") else {
                    return .unsupported(near: rest(after: 3))
                }
                return .changeSource(options, .slave)
            }
            if startsWith("CHANGE", "REPLICATION", "SOURCE", "TO") {
                guard let options = parseOptions(rest(after: 4), stripping: "SOURCE_") else {
                    return .unsupported(near: rest(after: 4))
                }
                return .changeSource(options, .replica)
            }
            return .unsupported(near: rest(after: 1))
        case "SET":
            return parseSet(rest(after: 1))
        case "SELECT":
            return parseSelect(rest(after: 1), upper: upper)
        case "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE", "RENAME":
            return .write
        case "BEGIN", "COMMIT", "ROLLBACK", "USE", "DO", "FLUSH":
            return .ignored
        default:
            return .unsupported(near: text)
        }
    }

    private static func parseShow(_ text: String, upper: String, words: [String]) -> SimulatedStatement {
        var index = 1
        if index < words.count, ["GLOBAL", "SESSION"].contains(words[index]) { index += 1 }
        let near = text.split(separator: " ").dropFirst(1).joined(separator: " ")
        guard index < words.count else { return .unsupported(near: near) }
        switch words[index] {
        case "VARIABLES", "STATUS":
            let filterText = text.split(separator: " ").dropFirst(index + 1).joined(separator: " ")
            guard let filter = parseFilter(filterText) else { return .unsupported(near: filterText) }
            return words[index] == "VARIABLES" ? .showVariables(filter) : .showStatus(filter)
        default:
            break
        }
        let tail = words[1...].joined(separator: " ")
        switch tail {
        case "MASTER STATUS": return .showBinlogStatus(binaryLog: false, binlog: false)
        case "BINARY LOG STATUS": return .showBinlogStatus(binaryLog: true, binlog: false)
        case "BINLOG STATUS": return .showBinlogStatus(binaryLog: false, binlog: true)
        case "SLAVE STATUS": return .showReplicationStatus(.slave)
        case "REPLICA STATUS": return .showReplicationStatus(.replica)
        case "SLAVE HOSTS": return .showReplicaHosts(slaveHosts: true, replicas: false)
        case "REPLICAS": return .showReplicaHosts(slaveHosts: false, replicas: true)
        case "REPLICA HOSTS": return .showReplicaHosts(slaveHosts: false, replicas: false)
        case "WARNINGS": return .showWarnings
        default: return .unsupported(near: near)
        }
    }

    /// `WHERE Variable_name IN ('a', 'b')`, `WHERE Variable_name = 'a'`, `LIKE 'a%'`, or nothing.
    private static func parseFilter(_ text: String) -> NameFilter? {
        let upper = text.uppercased()
        if text.isEmpty { return .all }
        if upper.hasPrefix("LIKE ") {
            return quotedStrings(in: String(text.dropFirst(5))).first.map { .like($0) }
        }
        guard upper.hasPrefix("WHERE ") else { return nil }
        let condition = upper.dropFirst(6).replacingOccurrences(of: " ", with: "")
        guard condition.hasPrefix("VARIABLE_NAMEIN(") || condition.hasPrefix("VARIABLE_NAME=") else { return nil }
        return .names(quotedStrings(in: text).map { $0.lowercased() })
    }

    private static func parseSet(_ text: String) -> SimulatedStatement {
        let upper = text.uppercased()
        if upper.hasPrefix("NAMES ") || upper.hasPrefix("SESSION ") || upper.hasPrefix("@@SESSION.")
            || upper.hasPrefix("CHARACTER SET") || upper.hasPrefix("@") && !upper.hasPrefix("@@")
            || upper.hasPrefix("LOCAL ") || upper.hasPrefix("TRANSACTION")
        {
            return .ignored
        }
        var options: [Option] = []
        for assignment in splitOutsideQuotes(text, on: ",") {
            var item = assignment.trimmingCharacters(in: .whitespaces)
            let itemUpper = item.uppercased()
            var global = false
            for prefix in ["GLOBAL ", "@@GLOBAL.", "PERSIST "] where itemUpper.hasPrefix(prefix) {
                item = String(item.dropFirst(prefix.count))
                global = true
            }
            if !global, item.hasPrefix("@@") { item = String(item.dropFirst(2)) }
            guard let equals = item.firstIndex(of: "=") else { return .unsupported(near: text) }
            let name = item[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = unquote(item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            guard !name.isEmpty else { return .unsupported(near: text) }
            if !global { return Self.sessionSettable.contains(name) ? .ignored : .setWithoutGlobal(name) }
            options.append(Option(name: name, value: value))
        }
        return options.isEmpty ? .unsupported(near: text) : .setGlobal(options)
    }

    /// Session variables clients commonly set; `SET x = …` of these is accepted and ignored.
    static let sessionSettable: Set<String> = [
        "autocommit", "sql_mode", "time_zone", "names", "character_set_results", "sql_log_bin", "wait_timeout",
        "net_read_timeout", "net_write_timeout", "transaction_isolation", "tx_isolation", "lock_wait_timeout",
    ]

    private static func parseSelect(_ text: String, upper: String) -> SimulatedStatement {
        let body = text.uppercased()
        if body.hasPrefix("HOST FROM INFORMATION_SCHEMA.PROCESSLIST") { return .binlogDumpHosts }
        for function in ["MASTER_GTID_WAIT", "WAIT_FOR_EXECUTED_GTID_SET", "MASTER_POS_WAIT", "SOURCE_POS_WAIT"]
        where body.hasPrefix(function + "(") || body.hasPrefix(function + " (") {
            guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else {
                return .unsupported(near: text)
            }
            let arguments = splitOutsideQuotes(String(text[text.index(after: open)..<close]), on: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let label = String(text[...close])
            if function.hasSuffix("POS_WAIT") {
                guard arguments.count >= 2, let position = Int64(arguments[1]) else { return .unsupported(near: text) }
                let timeout = arguments.count > 2 ? Double(arguments[2]) : nil
                return .positionWait(
                    function: function, label: label, file: unquote(arguments[0]), position: position, timeout: timeout)
            }
            guard !arguments.isEmpty else { return .unsupported(near: text) }
            let timeout = arguments.count > 1 ? Double(arguments[1]) : nil
            return .gtidWait(function: function, label: label, gtids: unquote(arguments[0]), timeout: timeout)
        }
        var items: [SelectItem] = []
        for item in splitOutsideQuotes(text, on: ",") {
            let expression = item.trimmingCharacters(in: .whitespaces)
            var label = expression
            var value = expression
            if let range = expression.range(of: " AS ", options: .caseInsensitive) {
                value = String(expression[..<range.lowerBound])
                label = unquote(String(expression[range.upperBound...]).trimmingCharacters(in: .whitespaces))
                    .trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            }
            if value.hasPrefix("@@") {
                var name = String(value.dropFirst(2)).lowercased()
                for scope in ["global.", "session.", "local."] where name.hasPrefix(scope) {
                    name = String(name.dropFirst(scope.count))
                }
                items.append(SelectItem(label: label, variable: name))
            } else if Int64(value) != nil {
                items.append(SelectItem(label: label, literal: value))
            } else if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 {
                items.append(SelectItem(label: label == value ? unquote(value) : label, literal: unquote(value)))
            } else {
                return .unsupported(near: text)
            }
        }
        return items.isEmpty ? .unsupported(near: text) : .selectValues(items)
    }

    /// `HOST='h', PORT=3306, USE_GTID=slave_pos`, with `prefix` removed from the names.
    private static func parseOptions(_ text: String, stripping prefix: String) -> [Option]? {
        var options: [Option] = []
        for assignment in splitOutsideQuotes(text, on: ",") {
            guard let equals = assignment.firstIndex(of: "=") else { return nil }
            var name = assignment[..<equals].trimmingCharacters(in: .whitespaces).uppercased()
            if name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
            let value = unquote(assignment[assignment.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            guard !name.isEmpty else { return nil }
            options.append(Option(name: name, value: value))
        }
        return options.isEmpty ? nil : options
    }

    /// Collapses whitespace outside quotes, drops leading comments and trailing semicolons.
    static func normalize(_ sql: String) -> String {
        var text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasPrefix("/*"), let end = text.range(of: "*/") {
            text = String(text[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        while text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        var result = ""
        var quote: Character?
        var lastWasSpace = false
        for character in text {
            if let open = quote {
                result.append(character)
                if character == open { quote = nil }
                continue
            }
            if character == "'" || character == "\"" || character == "`" { quote = character }
            if character.isWhitespace {
                if !lastWasSpace { result.append(" ") }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            result.append(character)
        }
        return result
    }

    /// Splits on `separator` where it is not inside quotes or parentheses.
    static func splitOutsideQuotes(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        var depth = 0
        var escaped = false
        for character in text {
            if let open = quote {
                current.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
                continue
            }
            switch character {
            case "'", "\"": quote = character
            case "(": depth += 1
            case ")": depth -= 1
            default: break
            }
            if character == separator && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current) }
        return parts
    }

    /// The contents of every single-quoted string in `text`, unescaped.
    static func quotedStrings(in text: String) -> [String] {
        var strings: [String] = []
        var current: String?
        var escaped = false
        var characters = Array(text)
        characters.append(" ")
        var index = 0
        while index < characters.count - 1 {
            let character = characters[index]
            if var value = current {
                if escaped {
                    value.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "'" && characters[index + 1] == "'" {
                    value.append("'")
                    index += 1
                } else if character == "'" {
                    strings.append(value)
                    current = nil
                    index += 1
                    continue
                } else {
                    value.append(character)
                }
                current = value
            } else if character == "'" {
                current = ""
            }
            index += 1
        }
        return strings
    }

    /// `'a''b'` → `a'b`; bare words and numbers unchanged.
    static func unquote(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let first = trimmed.first, first == "'" || first == "\"", trimmed.count >= 2 {
            if first == "'" { return quotedStrings(in: trimmed).first ?? "" }
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
