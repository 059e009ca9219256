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
