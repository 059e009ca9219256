import BatonCore
import CLua
import Foundation

/// One Lua state for one decision: the safe libraries only (`base` without `dofile`/`loadfile`/`load`/
/// `collectgarbage`, `string` without `dump`, `table` without `move`, `math` with a fixed seed, `utf8`) plus the
/// `baton` helpers, under a memory cap, an instruction budget and a deadline (see `CLua/shim.h`).
///
/// Every call that can raise a Lua error goes through the shim's protected entry points; this class only reads
/// values with functions that cannot raise. Not thread-safe: one decision, one thread, then `deinit` closes it.
final class LuaSandbox {
    let chunkName: String
    let helperContext: PolicyHelperContext
    private let policyLimits: PolicyLimits
    private let limits: UnsafeMutablePointer<baton_limits>
    private let helpers: UnsafeMutablePointer<baton_helper>
    private let helperNames: [UnsafeMutablePointer<CChar>]
    private let state: OpaquePointer?

    /// The longest string read back from Lua (keys, reasons); longer ones are cut.
    static let maxStringBytes = 4096
    /// The most entries read from one returned table.
    static let maxTableEntries = 10_000

    init(limits policyLimits: PolicyLimits, chunkName: String) {
        self.chunkName = chunkName
        self.policyLimits = policyLimits
        helperContext = PolicyHelperContext(limits: policyLimits)
        let seconds = policyLimits.timeLimit.inSeconds
        limits = .allocate(capacity: 1)
        limits.initialize(
            to: baton_limits(
                memory_used: 0, memory_peak: 0, memory_limit: max(0, policyLimits.memoryBytes), memory_refusals: 0,
                instructions_used: 0, instruction_limit: Int64(max(0, policyLimits.instructions)),
                hook_interval: Int32(clamping: max(1, policyLimits.checkInterval)),
                deadline: baton_shim_monotonic_seconds() + seconds, tripped: Int32(BATON_TRIP_NONE)))
        helperNames = PolicyHelpers.all.map { strdup($0.name)! }
        helpers = .allocate(capacity: PolicyHelpers.all.count)
        let context = Unmanaged.passUnretained(helperContext).toOpaque()
        for (index, helper) in PolicyHelpers.all.enumerated() {
            (helpers + index).initialize(
                to: baton_helper(name: helperNames[index], function: helper.function, context: context))
        }
        state = baton_shim_newstate(limits)
    }

    deinit {
        // lua_close may run __gc finalizers: still under the hook and the allocator, so still bounded.
        if let state { lua_close(state) }
        helpers.deinitialize(count: PolicyHelpers.all.count)
        helpers.deallocate()
        helperNames.forEach { free($0) }
        limits.deinitialize(count: 1)
        limits.deallocate()
    }

    /// Opens the libraries and helpers, then loads `source` (text only) and runs its top level.
    func load(source: String) throws(PolicyError) {
        guard let state else {
            throw PolicyError(
                code: .memoryLimit, message: "cannot create a Lua state within \(policyLimits.memoryBytes) bytes")
        }
        let opened = baton_shim_open_sandbox(
            state, helpers, Int32(PolicyHelpers.all.count), Int32(PolicyHelpers.logIndex))
        guard opened == LUA_OK else { throw failure(status: opened, loading: true) }
        var bytes = Array(source.utf8)
        bytes.append(0)
        let status = bytes.withUnsafeBufferPointer { buffer in
            ("=" + chunkName).withCString { name in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    baton_shim_run_chunk(state, chars.baseAddress, chars.count - 1, name)
                }
            }
        }
        guard status == LUA_OK else { throw failure(status: status, loading: true) }
    }

    /// Whether the policy defines a global function with this name.
    func defines(_ function: PolicyFunction) throws(PolicyError) -> Bool {
        let (status, found, _) = invoke(function, input: "", probe: true)
        guard status == LUA_OK else { throw failure(status: status, loading: true) }
        return found
    }

    /// Calls `function` with `arguments`; returns its results.
    func call(_ function: PolicyFunction, arguments: [LuaInput]) throws(PolicyError) -> [LuaResult] {
        let (status, found, results) = invoke(function, input: LuaInput.chunk(arguments), probe: false)
        guard status == LUA_OK else {
            var error = failure(status: status, loading: false)
            error.function = function.rawValue
            throw error
        }
        guard found else {
            throw PolicyError(
                code: .missingFunction, message: "the policy does not define \(function.rawValue)",
                function: function.rawValue)
        }
        return results
    }

    /// The memory the state holds now and at most, in bytes.
    var memoryUsed: Int { limits.pointee.memory_used }
    var memoryPeak: Int { limits.pointee.memory_peak }

    private func invoke(_ function: PolicyFunction, input: String, probe: Bool) -> (Int32, Bool, [LuaResult]) {
        guard let state else { return (Int32(LUA_ERRMEM), false, []) }
        var input = Array(input.utf8)
        input.append(0)
        return function.rawValue.withCString { name in
            input.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    var request = baton_call_request(
                        function: name, input: chars.baseAddress, input_length: chars.count - 1, found: 0,
                        only_probe: probe ? 1 : 0)
                    let status = baton_shim_call(state, &request)
                    guard status == LUA_OK else { return (status, request.found != 0, []) }
                    let top = lua_gettop(state)
                    let results = top >= 2 ? (2...top).map { read(state, $0, depth: 0) } : []
                    lua_settop(state, 0)
                    return (status, request.found != 0, results)
                }
            }
        }
    }

    /// Classifies a failed protected call, reading the message on top of the stack.
    private func failure(status: Int32, loading: Bool) -> PolicyError {
        var text = "(no error message)"
        if let state, let string = readString(state, -1, limit: 16 << 10) { text = string }
        if let state { lua_settop(state, 0) }
        var message = text
        var traceback: String?
        if let range = text.range(of: "\nstack traceback:") {
            message = String(text[..<range.lowerBound])
            traceback = String(text[range.lowerBound...].dropFirst())
        }
        let line = PolicyError.lineNumber(in: message, chunkName: chunkName)
        switch Int(limits.pointee.tripped) {
        case Int(BATON_TRIP_INSTRUCTIONS):
            return PolicyError(
                code: .instructionLimit,
                message: "the policy ran more than \(policyLimits.instructions) Lua instructions", line: line,
                traceback: traceback)
        case Int(BATON_TRIP_TIME):
            return PolicyError(
                code: .timeLimit, message: "the policy ran longer than \(policyLimits.timeLimit)", line: line,
                traceback: traceback)
        default: break
        }
        let refused = limits.pointee.memory_refusals > 0
        if status == LUA_ERRMEM || (refused && (status == LUA_ERRERR || message.contains("not enough memory"))) {
            return PolicyError(
                code: .memoryLimit,
                message: "the policy needed more than \(policyLimits.memoryBytes) bytes of memory", line: line,
                traceback: traceback)
        }
        return PolicyError(
            code: loading ? .loadFailed : .runtimeError, message: message, line: line, traceback: traceback)
    }

    // MARK: Reading results (only functions that cannot raise a Lua error)

    private func read(_ state: OpaquePointer, _ index: Int32, depth: Int) -> LuaResult {
        switch lua_type(state, index) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(state, index) != 0)
        case LUA_TNUMBER:
            var isInteger: Int32 = 0
            let integer = baton_lua_tointeger(state, index, &isInteger)
            if isInteger != 0 { return .integer(integer) }
            return .number(baton_lua_tonumber(state, index, nil))
        case LUA_TSTRING: return .string(readString(state, index, limit: Self.maxStringBytes) ?? "")
        case LUA_TTABLE where depth == 0: return .table(readTable(state, index))
        case let type: return .other(String(cString: lua_typename(state, type)))
        }
    }

    private func readString(_ state: OpaquePointer, _ index: Int32, limit: Int) -> String? {
        var length = 0
        guard let pointer = baton_lua_string(state, index, &length) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: min(length, limit))
        return String(decoding: bytes, as: UTF8.self) + (length > limit ? "…" : "")
    }

    private func readTable(_ state: OpaquePointer, _ index: Int32) -> LuaTable {
        let table = lua_absindex(state, index)
        var result = LuaTable()
        guard lua_checkstack(state, 3) != 0 else {
            result.truncated = true
            return result
        }
        lua_pushnil(state)
        while lua_next(state, table) != 0 {
            if result.entries.count >= Self.maxTableEntries {
                result.truncated = true
                baton_lua_pop(state, 2)
                break
            }
            result.entries.append((read(state, -2, depth: 1), read(state, -1, depth: 1)))
            baton_lua_pop(state, 1)
        }
        return result
    }
}

/// A value a policy function returned. Tables are read one level deep (nested tables become `.other`).
enum LuaResult: Sendable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table(LuaTable)
    case other(String)

    /// The Lua type name, for messages.
    var typeName: String {
        switch self {
        case .null: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        case .other(let name): name
        }
    }
}

/// A returned table's entries in traversal order.
struct LuaTable: Sendable {
    var entries: [(key: LuaResult, value: LuaResult)] = []
    /// More than `LuaSandbox.maxTableEntries` entries: the rest were not read.
    var truncated = false

    /// The values of keys 1…n when the table is exactly a sequence; otherwise the offending key.
    func sequence() -> Result<[LuaResult], SequenceProblem> {
        if truncated { return .failure(.tooLarge) }
        var byIndex: [Int64: LuaResult] = [:]
        for (key, value) in entries {
            guard case .integer(let index) = key, index >= 1, index <= Int64(entries.count) else {
                return .failure(.nonSequenceKey(key))
            }
            byIndex[index] = value
        }
        return .success((0..<Int64(entries.count)).map { byIndex[$0 + 1]! })
    }

    enum SequenceProblem: Error {
        case tooLarge
        case nonSequenceKey(LuaResult)
    }
}
