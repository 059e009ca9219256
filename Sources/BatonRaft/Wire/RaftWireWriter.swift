/// Appends the primitive values of the Raft wire format: LEB128 varints, single bytes, length-prefixed bytes.
struct RaftWireWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func uint32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func data(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { data(Array(value.utf8)) }

    mutating func position(_ value: RaftLogPosition) {
        varint(value.index)
        varint(value.term)
    }

    mutating func entry(_ value: RaftEntry) {
        varint(value.index)
        varint(value.term)
        byte(value.kind.rawValue)
        data(value.data)
    }

    mutating func membership(_ value: RaftMembership) {
        varint(UInt64(value.members.count))
        for member in value.members {
            varint(member.id.rawValue)
            string(member.address)
            byte(member.role.rawValue)
        }
    }
}
