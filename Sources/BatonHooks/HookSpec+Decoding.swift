import BatonCore
import Foundation

extension HookSpec: Decodable {
    /// Decodes a string (orchestrator's form) or an object
    /// `{"Command": [argv…] or "string", "TimeoutSeconds": 30, "Environment": {…}, "Async": false, "Name": "…"}`.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        let (spec, issues) = HookSpec.parse(value)
        guard let spec else {
            let message = issues.filter { $0.severity == .error }.map(\.description).joined(separator: "; ")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: message))
        }
        self = spec
    }

    static let objectKeys: Set<String> = ["Command", "TimeoutSeconds", "Environment", "Async", "Name"]

    /// The hook described by `value`, or `nil` with at least one error; issues name fields relative to the hook.
    static func parse(_ value: JSONValue) -> (HookSpec?, [HookIssue]) {
        switch value {
        case .string(let text):
            return (HookSpec.orchestrator(text), [])
        case .object(let object):
            return parseObject(object)
        default:
            return (nil, [.error("expected a command string or an object, found \(value.typeName)")])
        }
    }

    private static func parseObject(_ object: [String: JSONValue]) -> (HookSpec?, [HookIssue]) {
        var issues: [HookIssue] = []
        var command: Command?
        var isAsync = false
        switch object["Command"] {
        case .string(let text)?:
            let orchestrator = HookSpec.orchestrator(text)
            command = orchestrator.command
            isAsync = orchestrator.isAsync
        case .array(let elements)?:
            var argv: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let argument) = element else {
                    issues.append(.error("expected a string, found \(element.typeName)", field: "Command[\(index)]"))
                    continue
                }
                argv.append(argument)
            }
            if elements.isEmpty { issues.append(.error("expected at least the executable", field: "Command")) }
            command = .arguments(argv)
        case nil:
            issues.append(.error("missing; expected an array of strings (argv) or a command string", field: "Command"))
        case let other?:
            issues.append(.error("expected an array of strings or a string, found \(other.typeName)", field: "Command"))
        }

        var timeout: Duration?
        switch object["TimeoutSeconds"] {
        case nil, .null?: break
        case .number(let seconds)? where seconds.isFinite && seconds > 0 && seconds <= 86_400:
            timeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        case let other?:
            issues.append(.error("expected a positive number of seconds (at most 86400), found \(describe(other))",
                field: "TimeoutSeconds"))
        }

        var environment: [String: String] = [:]
        switch object["Environment"] {
        case nil, .null?: break
        case .object(let variables)?:
            for (key, variable) in variables.sorted(by: { $0.key < $1.key }) {
                guard case .string(let text) = variable else {
                    issues.append(.error("expected a string, found \(variable.typeName)", field: "Environment.\(key)"))
                    continue
                }
                environment[key] = text
            }
        case let other?:
            issues.append(.error("expected an object of strings, found \(other.typeName)", field: "Environment"))
        }

        switch object["Async"] {
        case nil, .null?: break
        case .bool(let flag)?: isAsync = flag
        case let other?: issues.append(.error("expected true or false, found \(other.typeName)", field: "Async"))
        }

        var name: String?
        switch object["Name"] {
        case nil, .null?: break
        case .string(let text)?: name = text
        case let other?: issues.append(.error("expected a string, found \(other.typeName)", field: "Name"))
        }

        for key in object.keys.sorted() where !objectKeys.contains(key) {
            issues.append(.warning("unknown key is ignored (known: Command, TimeoutSeconds, Environment, Async, Name)",
                field: key))
        }
        guard let command, !issues.contains(where: { $0.severity == .error }) else { return (nil, issues) }
        return (HookSpec(command, name: name, timeout: timeout, environment: environment, isAsync: isAsync), issues)
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .number(let number) = value { return String(number) }
        return value.typeName
    }
}
