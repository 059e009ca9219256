import Foundation

/// Where commands go: applied at once on a single node, or proposed to the Raft log (leader only) and applied on
/// every node in order.
public protocol CommandLog: Sendable {
    /// Applies `command` (through the log when there is one) and returns what applying it answered on this node.
    /// - Throws: `CommandError` (`notLeader` on a Raft follower), or the store's error on a single node.
    func submit(_ command: BatonCommand) async throws -> BatonCommandResult
}

/// A single node: commands are applied at once. Rows it registers are numbered by the store (the largest id + 1,
/// read in the transaction that writes them).
public struct LocalCommandLog: CommandLog {
    let applier: BatonCommandApplier

    public init(applier: BatonCommandApplier) {
        self.applier = applier
    }

    public func submit(_ command: BatonCommand) async throws -> BatonCommandResult {
        try applier.apply(command, index: nil)
    }
}
