/// A value handed to a policy function. Inputs reach Lua as the text of a chunk (`return {…}, {…}`) that the
/// sandbox loads and runs in protected mode, so building them can never raise a Lua error in a Swift frame.
indirect enum LuaInput: Sendable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case string(String)
    case array([LuaInput])
    /// Fields in order; `.null` fields are left out (absent, as Lua has it).
    case record([(String, LuaInput)])

    /// A Lua expression that evaluates to the value.
    var source: String {
        var text = ""
        write(into: &text)
        return text
    }

    /// `return a, b, c`: the input chunk for a call.
    static func chunk(_ arguments: [LuaInput]) -> String {
        var text = "return "
        for (index, argument) in arguments.enumerated() {
            if index > 0 { text += ", " }
            argument.write(into: &text)
        }
        return text
    }

    func write(into text: inout String) {
        switch self {
        case .null: text += "nil"
        case .boolean(let value): text += value ? "true" : "false"
        case .integer(let value): text += value == .min ? "(-9223372036854775807-1)" : String(value)
        case .string(let value): Self.quote(value, into: &text)
        case .array(let items):
            text += "{"
            for item in items {
                item.write(into: &text)
                text += ","
            }
            text += "}"
        case .record(let fields):
            text += "{"
            for (name, value) in fields {
                if case .null = value { continue }
                text += "["
                Self.quote(name, into: &text)
                text += "]="
                value.write(into: &text)
                text += ","
            }
            text += "}"
        }
    }

    /// A Lua string literal with every byte outside printable ASCII (and `"`, `\`) as a `\ddd` escape.
    static func quote(_ value: String, into text: inout String) {
        text += "\""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0..<0x20, 0x7F...:
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            default:
                text.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        text += "\""
    }
}
