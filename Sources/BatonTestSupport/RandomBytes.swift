import BatonRaft

/// Seeded random bytes, for fuzzing and garbage faults: `RaftRandom` is SplitMix64, so the same seed gives the same
/// bytes and a failing run can be replayed.
extension RaftRandom {
    /// The next `count` bytes of the sequence, eight from each word.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            let word = next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Array(bytes.prefix(count))
    }

    /// The first `count` bytes this generator would give, leaving it where it is.
    public func prefixBytes(_ count: Int) -> [UInt8] {
        var copy = self
        return copy.bytes(count)
    }
}
