/// The client operations of a run: when each was invoked and, if so, acknowledged (virtual time).
struct RaftSimulationHistory {
    private var invoked: [UInt64: UInt64] = [:]
    private var acknowledged: [UInt64: UInt64] = [:]
    /// Operations in invocation order.
    private var order: [UInt64] = []

    mutating func invoke(_ op: UInt64, at time: UInt64) {
        invoked[op] = time
        order.append(op)
    }

    mutating func acknowledge(_ op: UInt64, at time: UInt64) {
        if acknowledged[op] == nil { acknowledged[op] = time }
    }

    /// Checks the committed sequence against the history (an append-log model: linearizable means one total
    /// order that contains every acknowledged operation once and respects real time). Returns the problem, if any.
    func check(committedOps: [UInt64]) -> String? {
        var seen: Set<UInt64> = []
        var latestInvocation: UInt64 = 0
        for op in committedOps {
            guard let invokedAt = invoked[op] else { return "linearizability: op\(op) committed but never proposed" }
            guard seen.insert(op).inserted else { return "linearizability: op\(op) committed twice" }
            if let ackedAt = acknowledged[op], ackedAt < latestInvocation {
                return "linearizability: op\(op) was acknowledged before an operation ordered ahead of it was invoked"
            }
            latestInvocation = max(latestInvocation, invokedAt)
        }
        for op in order where acknowledged[op] != nil && !seen.contains(op) {
            return "linearizability: acknowledged op\(op) is missing from the committed log"
        }
        return nil
    }
}
