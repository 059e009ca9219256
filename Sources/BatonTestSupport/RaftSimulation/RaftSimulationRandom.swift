import BatonRaft

extension RaftRandom {
    /// A uniform integer in 0..<n.
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && Double(next() >> 11) / Double(1 << 53) < probability
    }

    /// An exponentially distributed value with the given mean, rounded down.
    mutating func exponential(_ mean: Double) -> UInt64 {
        let u = (Double(next() >> 11) + 1) / Double(1 << 53)
        return UInt64(-mean * raftSimulationLog(u))
    }

    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
}

/// Natural logarithm without Foundation (series around 1 after range reduction by powers of 2); precise enough for
/// drawing delays.
func raftSimulationLog(_ x: Double) -> Double {
    guard x > 0 else { return -745 }
    var m = x
    var exponent = 0.0
    while m > 2 {
        m /= 2
        exponent += 1
    }
    while m < 1 {
        m *= 2
        exponent -= 1
    }
    // ln(m) = 2 atanh((m-1)/(m+1))
    let y = (m - 1) / (m + 1)
    let y2 = y * y
    var term = y
    var sum = 0.0
    var k = 1.0
    for _ in 0..<20 {
        sum += term / k
        term *= y2
        k += 2
    }
    return 2 * sum + exponent * 0.693_147_180_559_945_3
}
