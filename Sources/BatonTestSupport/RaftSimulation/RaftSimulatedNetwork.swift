import BatonRaft

/// Which directed links are cut. Node slots are ids 1...capacity.
struct RaftSimulatedNetwork {
    let capacity: Int
    private var cut: [Bool]
    /// The probability that a message is lost, duplicated; the delay distribution in virtual time units.
    var dropRate: Double
    var duplicateRate: Double
    var minimumDelay: UInt64
    var meanExtraDelay: Double

    init(capacity: Int, dropRate: Double, duplicateRate: Double, minimumDelay: UInt64, meanExtraDelay: Double) {
        self.capacity = capacity
        self.cut = Array(repeating: false, count: (capacity + 1) * (capacity + 1))
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        self.minimumDelay = minimumDelay
        self.meanExtraDelay = meanExtraDelay
    }

    func isCut(_ from: RaftNodeID, _ to: RaftNodeID) -> Bool {
        cut[Int(from.rawValue) * (capacity + 1) + Int(to.rawValue)]
    }

    mutating func setCut(_ from: RaftNodeID, _ to: RaftNodeID, _ value: Bool) {
        cut[Int(from.rawValue) * (capacity + 1) + Int(to.rawValue)] = value
    }

    mutating func healAll() { cut = Array(repeating: false, count: cut.count) }

    var isPartitioned: Bool { cut.contains(true) }

    /// Cuts every link between the two groups, in both directions.
    mutating func split(_ a: [RaftNodeID], _ b: [RaftNodeID]) {
        for x in a {
            for y in b {
                setCut(x, y, true)
                setCut(y, x, true)
            }
        }
    }
}
