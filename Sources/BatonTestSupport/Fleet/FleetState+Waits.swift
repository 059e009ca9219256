import Foundation

/// Waits for replication positions (`MASTER_GTID_WAIT`, `WAIT_FOR_EXECUTED_GTID_SET`, `MASTER_POS_WAIT`): decided
/// at once when reached, otherwise answered when the position arrives or the deadline passes.
extension FleetState {
    func deadline(_ timeout: Double?, _ now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let timeout, timeout >= 0 else { return nil }
        return now.advanced(by: .milliseconds(Int64(timeout * 1000)))
    }

    mutating func gtidWait(
        function: String, label: String, gtids text: String, timeout: Double?, on id: Int, now: ContinuousClock.Instant
    ) -> SimulatedAnswer {
        let mariaDB = servers[id].isMariaDB
        guard (function == "MASTER_GTID_WAIT") == mariaDB else {
            return .error(1305, "42000", "FUNCTION \(function) does not exist")
        }
        guard let target = SimulatedGTIDSet(parsing: text, mariaDB: mariaDB) else {
            return mariaDB
                ? .error(1941, "HY000", "Could not parse GTID list")
                : .error(1772, "HY000", "Malformed GTID set specification '\(text)'.")
        }
        let wait = SimulatedWait(
            target: .gtids(target), label: label, deadline: deadline(timeout, now), reached: "0",
            timedOut: mariaDB ? "-1" : "1")
        return evaluate(wait, on: id, now: now) ?? .wait(wait)
    }

    /// The answer of a wait once it is decided (position reached or deadline passed), nil while it still waits.
    public mutating func evaluate(_ wait: SimulatedWait, on id: Int, now: ContinuousClock.Instant) -> SimulatedAnswer? {
        settle(now: now)
        let reached: Bool
        switch wait.target {
        case .gtids(let target):
            reached = servers[id].executedGTIDs.contains(target)
        case .position(let file, let position):
            guard let link = servers[id].link else { return .resultSet(columns: [wait.label], rows: [[nil]]) }
            reached = (link.execFile, link.execPosition) >= (file, position)
        }
        if reached { return .resultSet(columns: [wait.label], rows: [[wait.reached]]) }
        if let deadline = wait.deadline, now >= deadline {
            return .resultSet(columns: [wait.label], rows: [[wait.timedOut]])
        }
        return nil
    }
}
