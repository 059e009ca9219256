import CLua

/// The state behind the `baton` helpers during one decision: collected log lines and the buffer that holds a
/// helper's string result until the C trampoline has copied it into Lua.
///
/// Used only on the thread running the decision, through an unretained pointer the sandbox keeps alive.
final class PolicyHelperContext {
    let maxLogLines: Int
    let maxTextBytes: Int
    private(set) var logLines: [PolicyLogLine] = []
    private(set) var droppedLogLines = 0
    private var scratch: UnsafeMutablePointer<CChar>
    private var scratchCapacity: Int

    init(limits: PolicyLimits) {
        maxLogLines = max(0, limits.maxLogLines)
        maxTextBytes = max(16, limits.maxTextBytes)
        scratchCapacity = 256
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    func log(_ level: PolicyLogLine.Level, _ message: String) {
        guard logLines.count < maxLogLines else {
            droppedLogLines += 1
            return
        }
        logLines.append(PolicyLogLine(level: level, message: truncated(message)))
    }

    func truncated(_ text: String) -> String {
        guard text.utf8.count > maxTextBytes else { return text }
        return String(decoding: text.utf8.prefix(maxTextBytes), as: UTF8.self) + "…"
    }

    /// Sets the call's result to `text` (or `nil, text` when `failure`), copied into the scratch buffer.
    func answer(_ call: UnsafeMutablePointer<baton_helper_call>, text: String, failure: Bool) {
        let bytes = Array(text.utf8)
        if bytes.count > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = bytes.count
            scratch = .allocate(capacity: scratchCapacity)
        }
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(scratch).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        }
        call.pointee.result = Int32(failure ? BATON_RESULT_FAILURE : BATON_RESULT_STRING)
        call.pointee.string = UnsafePointer(scratch)
        call.pointee.length = bytes.count
    }
}

/// The functions of the `baton` table. Each is a C function pointer that never throws and never raises: it
/// reads its arguments, computes, and fills in the result; the C trampoline pushes it (see `CLua/shim.h`).
enum PolicyHelpers {
    static let all: [(name: String, function: baton_helper_fn)] = [
        ("log", log), ("match", match), ("gtid_contains", gtidContains), ("gtid_compare", gtidCompare),
    ]
    static let logIndex = 0

    private static let log: baton_helper_fn = { context, call in
        guard let (helper, call) = unpack(context, call) else { return }
        guard let levelName = string(call, 0), let level = PolicyLogLine.Level(rawValue: levelName) else {
            helper.answer(call, text: "baton.log: level must be debug, info, notice, warning or error", failure: true)
            return
        }
        guard let message = string(call, 1) else {
            helper.answer(call, text: "baton.log: message must be a string", failure: true)
            return
        }
        helper.log(level, message)
    }

    private static let match: baton_helper_fn = { context, call in
        guard let (helper, call) = unpack(context, call) else { return }
        guard let text = string(call, 0), let pattern = string(call, 1) else {
            helper.answer(call, text: "baton.match: expected (text, pattern) strings", failure: true)
            return
        }
        switch PosixRegex.matches(text, pattern: pattern) {
        case .success(let matched):
            call.pointee.result = Int32(BATON_RESULT_BOOLEAN)
            call.pointee.boolean = matched ? 1 : 0
        case .failure(let error):
            helper.answer(call, text: "baton.match: \(error.message)", failure: true)
        }
    }

    private static let gtidContains: baton_helper_fn = { context, call in
        guard let (helper, call) = unpack(context, call) else { return }
        guard let first = string(call, 0), let second = string(call, 1) else {
            helper.answer(call, text: "baton.gtid_contains: expected two GTID set strings", failure: true)
            return
        }
        switch GTIDComparison.compare(first, second) {
        case .success(let relation):
            call.pointee.result = Int32(BATON_RESULT_BOOLEAN)
            call.pointee.boolean = relation == .equal || relation == .ahead ? 1 : 0
        case .failure(let error):
            helper.answer(call, text: "baton.gtid_contains: \(error.message)", failure: true)
        }
    }

    private static let gtidCompare: baton_helper_fn = { context, call in
        guard let (helper, call) = unpack(context, call) else { return }
        guard let first = string(call, 0), let second = string(call, 1) else {
            helper.answer(call, text: "baton.gtid_compare: expected two GTID set strings", failure: true)
            return
        }
        switch GTIDComparison.compare(first, second) {
        case .success(let relation): helper.answer(call, text: relation.rawValue, failure: false)
        case .failure(let error): helper.answer(call, text: "baton.gtid_compare: \(error.message)", failure: true)
        }
    }

    private static func unpack(
        _ context: UnsafeMutableRawPointer?, _ call: UnsafeMutablePointer<baton_helper_call>?
    ) -> (PolicyHelperContext, UnsafeMutablePointer<baton_helper_call>)? {
        guard let context, let call else { return nil }
        return (Unmanaged<PolicyHelperContext>.fromOpaque(context).takeUnretainedValue(), call)
    }

    /// Argument `index` (0-based) when it is a string.
    private static func string(_ call: UnsafeMutablePointer<baton_helper_call>, _ index: Int) -> String? {
        guard index < Int(call.pointee.argc), index < Int(BATON_HELPER_MAX_ARGS) else { return nil }
        let value = withUnsafeBytes(of: call.pointee.args) { raw in
            raw.bindMemory(to: baton_helper_value.self)[index]
        }
        guard value.type == LUA_TSTRING, let start = value.string else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: value.length), as: UTF8.self)
    }
}
