import BatonRaft
import BatonStore
import Foundation
import Logging

/// The replicated state machine Raft drives: committed entries are `BatonCommand`s applied by the applier.
///
/// Its state lives in the node's SQLite, but `appliedIndex` is nil: the replicated tables are cleared before the node
/// starts and rebuilt from the snapshot and the log, so no command is ever applied twice.
public struct BatonRaftApplication: RaftApplication {
    let applier: BatonCommandApplier
    let logger: Logger

    public init(applier: BatonCommandApplier, logger: Logger) {
        self.applier = applier
        self.logger = logger
    }

    public func apply(_ entry: RaftEntry) async throws -> [UInt8] {
        guard entry.kind == .command else { return [] }
        let command: BatonCommand
        do {
            command = try BatonCommand.decode(entry.data)
        } catch {
            // Every node meets the same undecodable entry: skip it alike, and say so.
            logger.error("Undecodable replicated command skipped", metadata: ["baton.raft.index": "\(entry.index)", "baton.error": "\(error)"])
            return BatonCommandResult(error: "undecodable command: \(error)").encoded()
        }
        // The entry's index numbers the rows it registers: the same id on every node, through restarts and snapshots.
        return try applier.apply(command, index: Int64(entry.index)).encoded()
    }

    public func takeSnapshot() async throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return Array(try encoder.encode(try applier.snapshot()))
    }

    public func restore(_ snapshot: RaftSnapshot) async throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        try applier.restore(try decoder.decode(ReplicatedState.self, from: Data(snapshot.data)))
    }
}

/// Commands through the Raft log: only the leader proposes; the answer comes once the command is committed and
/// applied on this node.
public struct RaftCommandLog<C: Clock>: CommandLog where C.Duration == Duration {
    let node: RaftNode<C>
    let applier: BatonCommandApplier

    public init(node: RaftNode<C>, applier: BatonCommandApplier) {
        self.node = node
        self.applier = applier
    }

    public func submit(_ command: BatonCommand) async throws -> BatonCommandResult {
        let bytes = try command.encoded()
        let answer: [UInt8]
        do {
            answer = try await node.propose(bytes)
        } catch {
            if error.code == .notLeader {
                throw CommandError(
                    "this node is not the Raft leader" + (node.leader.map { " (the leader is node \($0.id))" } ?? ""),
                    notLeader: true, leaderAPI: leaderAPI)
            }
            throw CommandError("the replicated log did not take the command: \(error)")
        }
        return try BatonCommandResult.decode(answer)
    }

    /// The HTTP API of the current leader, when it published one.
    public var leaderAPI: String? {
        guard let leader = node.leader, let published = applier.publishedLeaderAPI(),
            published.node == leader.id.rawValue
        else { return nil }
        return published.url
    }
}

/// Leadership from the Raft node: true only while it leads a live quorum (CheckQuorum).
public struct RaftLeadership<C: Clock>: Leadership where C.Duration == Duration {
    let node: RaftNode<C>
    public let nodeName: String

    public init(node: RaftNode<C>, nodeName: String) {
        self.node = node
        self.nodeName = nodeName
    }

    public var isLeader: Bool { node.isLeader }
    public var leadingTerm: UInt64? { node.leadingTerm }
}
