import BatonCore
import Foundation

/// One line of the fleet's control protocol (``FleetControlServer``), for scripts, demos and benchmarks that do
/// not link the Swift API. Targets are instance names, `host:port` keys, or `cluster:NAME` for all of a cluster.
///
/// ```
/// list                              status TARGET…
/// kill TARGET…                      restart TARGET…
/// hang TARGET…                      delay MILLISECONDS TARGET…
/// partial TARGET…                   garbage TARGET…            clear TARGET…
/// partition [refuse] A,B,… / C,D,…  (members: targets or `baton`)      heal [ID|all]
/// write TARGET [COUNT]              write-primaries [COUNT]
/// lag SECONDS TARGET…               journal [AFTER]            help
/// ```
public enum FleetControlCommand: Sendable, Equatable {
    case list
    case status([String])
    case kill([String])
    case restart([String])
    case hang([String])
    case delay(milliseconds: Int, [String])
    case partial([String])
    case garbage([String])
    case clear([String])
    case partition(sideA: [String], sideB: [String], mode: FleetPartition.Mode)
    case heal(Int?)
    case write(String, count: Int)
    case writePrimaries(count: Int)
    case lag(seconds: Double, [String])
    case journal(after: Int)
    case help

    public static let usage = """
        list | status TARGET… | kill TARGET… | restart TARGET… | hang TARGET… | delay MS TARGET… | partial TARGET… | \
        garbage TARGET… | clear TARGET… | partition [refuse] A,B / C,D | heal [ID|all] | write TARGET [N] | \
        write-primaries [N] | lag SECONDS TARGET… | journal [AFTER] | help  (TARGET: name, host:port, cluster:NAME; \
        partition members may also be 'baton')
        """

    /// Parses one line.
    /// - Throws: ``FleetError`` `badCommand` naming what is wrong.
    public static func parse(_ line: String) throws(FleetError) -> FleetControlCommand {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let verb = words.first?.lowercased() else { throw bad("empty command") }
        let arguments = Array(words.dropFirst())
        func targets(_ list: [String]) throws(FleetError) -> [String] {
            guard !list.isEmpty else { throw bad("\(verb) needs at least one target") }
            return list
        }
        func number<T: LosslessStringConvertible>(_ text: String?, _ what: String) throws(FleetError) -> T {
            guard let text, let value = T(text) else { throw bad("\(verb): \(what) must be a number") }
            return value
        }
        switch verb {
        case "list": return .list
        case "help": return .help
        case "status": return .status(arguments)
        case "kill": return .kill(try targets(arguments))
        case "restart": return .restart(try targets(arguments))
        case "hang": return .hang(try targets(arguments))
        case "partial": return .partial(try targets(arguments))
        case "garbage": return .garbage(try targets(arguments))
        case "clear": return .clear(try targets(arguments))
        case "delay":
            return .delay(milliseconds: try number(arguments.first, "MS"), try targets(Array(arguments.dropFirst())))
        case "lag":
            return .lag(seconds: try number(arguments.first, "SECONDS"), try targets(Array(arguments.dropFirst())))
        case "write":
            guard let target = arguments.first else { throw bad("write needs a target") }
            return .write(target, count: arguments.count > 1 ? try number(arguments[1], "COUNT") : 1)
        case "write-primaries":
            return .writePrimaries(count: arguments.isEmpty ? 1 : try number(arguments[0], "COUNT"))
        case "journal":
            return .journal(after: arguments.isEmpty ? 0 : try number(arguments[0], "AFTER"))
        case "heal":
            if arguments.isEmpty || arguments[0].lowercased() == "all" { return .heal(nil) }
            return .heal(try number(arguments[0], "ID"))
        case "partition":
            var rest = arguments
            var mode = FleetPartition.Mode.blackhole
            if let first = rest.first, let parsed = FleetPartition.Mode(rawValue: first.lowercased()) {
                mode = parsed
                rest.removeFirst()
            }
            let sides = rest.joined(separator: " ").split(separator: "/", omittingEmptySubsequences: false)
            guard sides.count == 2 else { throw bad("partition needs two sides separated by /") }
            let members = sides.map {
                $0.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
            }
            guard !members[0].isEmpty, !members[1].isEmpty else { throw bad("partition sides cannot be empty") }
            return .partition(sideA: members[0], sideB: members[1], mode: mode)
        default:
            throw bad("unknown command \(verb); commands: \(usage)")
        }
    }

    static func bad(_ message: String) -> FleetError {
        FleetError(code: .badCommand, message: message)
    }
}

/// The answer to one control line, sent as one line of JSON.
public struct FleetControlResponse: Sendable, Codable, Equatable {
    public var ok: Bool
    public var error: String?
    public var message: String?
    public var instances: [FleetInstanceStatus]?
    public var partition: Int?
    public var events: [String]?

    public init(
        ok: Bool = true, error: String? = nil, message: String? = nil, instances: [FleetInstanceStatus]? = nil,
        partition: Int? = nil, events: [String]? = nil
    ) {
        self.ok = ok
        self.error = error
        self.message = message
        self.instances = instances
        self.partition = partition
        self.events = events
    }

    /// The response as one line of JSON (no trailing newline).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{\"ok\":false,\"error\":\"encoding failed\"}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension SimulatedFleet {
    /// Carries out one control line and returns the answer (errors are answers too, with `ok` false).
    public func perform(_ line: String) async -> FleetControlResponse {
        do {
            return try await perform(try FleetControlCommand.parse(line))
        } catch {
            return FleetControlResponse(ok: false, error: "\(error)")
        }
    }

    public func perform(_ command: FleetControlCommand) async throws -> FleetControlResponse {
        switch command {
        case .help:
            return FleetControlResponse(message: FleetControlCommand.usage)
        case .list:
            return FleetControlResponse(instances: instances)
        case .status(let targets):
            if targets.isEmpty { return FleetControlResponse(instances: instances) }
            var statuses: [FleetInstanceStatus] = []
            for key in try resolve(targets) { statuses.append(try status(key)) }
            return FleetControlResponse(instances: statuses)
        case .kill(let targets):
            let keys = try resolve(targets)
            try await kill(keys)
            return FleetControlResponse(message: "killed \(keys.count)")
        case .restart(let targets):
            let keys = try resolve(targets)
            for key in keys { try await restart(key) }
            return FleetControlResponse(message: "restarted \(keys.count)")
        case .hang(let targets):
            return try eachTarget(targets, "hung") { try self.hang($0) }
        case .delay(let milliseconds, let targets):
            return try eachTarget(targets, "delayed") { try self.delayAnswers($0, by: .milliseconds(milliseconds)) }
        case .partial(let targets):
            return try eachTarget(targets, "partial answers on") { try self.sendPartialAnswers($0) }
        case .garbage(let targets):
            return try eachTarget(targets, "garbage on") { try self.sendGarbage($0) }
        case .clear(let targets):
            return try eachTarget(targets, "cleared") { try self.clearFaults($0) }
        case .lag(let seconds, let targets):
            return try eachTarget(targets, "lag set on") { try self.setLag($0, seconds: seconds) }
        case .partition(let sideA, let sideB, let mode):
            let cut = partition(try endpoints(sideA), from: try endpoints(sideB), mode: mode)
            return FleetControlResponse(message: "partition \(cut.id)", partition: cut.id)
        case .heal(let id):
            if let id {
                guard let cut = inspect({ $0.partitions.first { $0.id == id } }) else {
                    throw FleetError(code: .badCommand, message: "no partition \(id)")
                }
                heal(cut)
            } else {
                healAll()
            }
            return FleetControlResponse(message: "healed \(id.map(String.init) ?? "all")")
        case .write(let target, let count):
            let keys = try resolve([target])
            for key in keys { try write(to: key, transactions: count) }
            return FleetControlResponse(message: "wrote \(count) on \(keys.count)")
        case .writePrimaries(let count):
            writeToPrimaries(transactions: count)
            return FleetControlResponse(message: "wrote \(count) on every writable primary")
        case .journal(let after):
            return FleetControlResponse(events: journal.filter { $0.sequence > after }.map(\.description))
        }
    }

    private func eachTarget(
        _ targets: [String], _ what: String, _ body: (InstanceKey) throws -> Void
    ) throws -> FleetControlResponse {
        let keys = try resolve(targets)
        for key in keys { try body(key) }
        return FleetControlResponse(message: "\(what) \(keys.count)")
    }

    /// Names, `host:port` keys and `cluster:NAME` to keys.
    public func resolve(_ targets: [String]) throws(FleetError) -> [InstanceKey] {
        var resolved: [InstanceKey] = []
        for target in targets {
            if target.hasPrefix("cluster:") {
                let members = keys(inCluster: String(target.dropFirst("cluster:".count)))
                guard !members.isEmpty else { throw FleetError(code: .unknownInstance, message: "no cluster \(target)") }
                resolved += members
            } else if let key = key(target) {
                resolved.append(key)
            } else if let key = InstanceKey(parsing: target, defaultPort: 3306), (try? status(key)) != nil {
                resolved.append(key)
            } else {
                throw FleetError(code: .unknownInstance, message: "no simulated server is named or listens on \(target)")
            }
        }
        return resolved
    }

    private func endpoints(_ members: [String]) throws(FleetError) -> [FleetEndpoint] {
        var endpoints: [FleetEndpoint] = []
        for member in members {
            if member.lowercased() == "baton" {
                endpoints.append(.baton)
            } else {
                endpoints += try resolve([member]).map { .instance($0) }
            }
        }
        return endpoints
    }
}
