/// Reads the primitive values of the Raft wire format with bounds checks on every read.
struct RaftWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func byte() throws(RaftWireError) -> UInt8 {
        guard offset < bytes.count else { throw RaftWireError(.truncated, "expected a byte at \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() throws(RaftWireError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let other: throw RaftWireError(.invalidValue, "boolean \(other) at \(offset - 1)")
        }
    }

    mutating func varint() throws(RaftWireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw RaftWireError(.overflow, "varint wider than 64 bits at \(offset)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw RaftWireError(.overflow, "varint wider than 64 bits at \(offset)") }
        }
    }

    mutating func uint32() throws(RaftWireError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 { value = value << 8 | UInt32(try byte()) }
        return value
    }

    /// A length that must fit in what is left, each counted item taking at least `minimumItemSize` bytes.
    mutating func count(minimumItemSize: Int = 1) throws(RaftWireError) -> Int {
        let raw = try varint()
        guard raw <= UInt64(remaining / max(minimumItemSize, 1)) else {
            throw RaftWireError(.overflow, "length \(raw) exceeds the \(remaining) bytes left")
        }
        return Int(raw)
    }

    mutating func data() throws(RaftWireError) -> [UInt8] {
        let length = try count()
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    mutating func string() throws(RaftWireError) -> String {
        let raw = try data()
        guard let value = String(validating: raw, as: UTF8.self) else {
            throw RaftWireError(.invalidValue, "string is not UTF-8")
        }
        return value
    }

    mutating func position() throws(RaftWireError) -> RaftLogPosition {
        let index = try varint()
        return RaftLogPosition(index: index, term: try varint())
    }

    mutating func entry() throws(RaftWireError) -> RaftEntry {
        let index = try varint()
        let term = try varint()
        let rawKind = try byte()
        guard let kind = RaftEntry.Kind(rawValue: rawKind) else {
            throw RaftWireError(.invalidValue, "entry kind \(rawKind)")
        }
        return RaftEntry(index: index, term: term, kind: kind, data: try data())
    }

    mutating func membership() throws(RaftWireError) -> RaftMembership {
        let n = try count(minimumItemSize: 3)
        var members: [RaftMember] = []
        members.reserveCapacity(n)
        for _ in 0..<n {
            let id = RaftNodeID(try varint())
            let address = try string()
            let rawRole = try byte()
            guard let role = RaftMember.Role(rawValue: rawRole) else {
                throw RaftWireError(.invalidValue, "member role \(rawRole)")
            }
            members.append(RaftMember(id: id, address: address, role: role))
        }
        return RaftMembership(members)
    }

    func finish() throws(RaftWireError) {
        guard remaining == 0 else { throw RaftWireError(.trailingBytes, "\(remaining) bytes after the message") }
    }
}
