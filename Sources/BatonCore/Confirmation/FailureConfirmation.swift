import Foundation

/// Whether the Raft group agrees that a primary (or an intermediate primary) is dead — the check the leader makes
/// before it registers a recovery, so that a leader cut off from a live primary (a partial partition) never
/// promotes beside it. Pure: views in, verdict and reasons out.
///
/// Every voter looked again, just now, at the failed server and its replicas (``PeerView``). The group agrees when
/// 1. a majority of the voters (the leader included) cannot reach the failed server, and
/// 2. **no** voter saw it alive: a primary reached and writable, an intermediate primary reached with a replica
///    receiving from it, or — reached or not — any replica whose I/O thread is connected to it.
///
/// A voter that did not answer in time has no vote; when too few answered for (1) the verdict is `waiting`, not
/// `refused`. Replicas a voter could not reach are not counted as broken: only a replica some voter reached and saw
/// not receiving is broken, one a majority could not reach is unreachable, and the rest are unknown (the audit lists
/// them; none of them can confirm a death, only a replica seen receiving can deny one).
public enum FailureConfirmation {
    public struct Input: Sendable, Equatable {
        public var request: PeerViewRequest
        /// A primary (writable when alive) or an intermediate primary (alive when replicas receive from it).
        public var isPrimary: Bool
        /// The names of the voting members, this node included.
        public var voters: [String]
        /// The answers that arrived in time (this node's own included).
        public var views: [PeerView]
        /// Why a voter has no answer (timed out, refused, unknown API), for the audit.
        public var unanswered: [String: String]

        public init(
            request: PeerViewRequest, isPrimary: Bool, voters: [String], views: [PeerView],
            unanswered: [String: String] = [:]
        ) {
            self.request = request
            self.isPrimary = isPrimary
            self.voters = voters
            self.views = views
            self.unanswered = unanswered
        }
    }

    public enum Decision: String, Sendable, Equatable, Codable {
        /// The group agrees: recover.
        case confirmed
        /// A voter saw the server alive, or too many reach it: do not recover.
        case refused
        /// Not enough voters answered to decide: wait and ask again.
        case waiting
    }

    /// One voter's part in the round.
    public struct Vote: Sendable, Equatable, Codable {
        public var node: String
        public var answered: Bool
        /// Whether it reached the failed server (nil without an answer).
        public var reachesFailed: Bool?
        /// What showed it the server alive, when something did.
        public var sawAlive: String?
        /// The probe error, or why there is no answer.
        public var note: String
        public var milliseconds: Int?
    }

    /// What the voters together know of one replica of the failed server.
    public struct ReplicaState: Sendable, Equatable, Codable {
        public enum State: String, Sendable, Equatable, Codable {
            /// Some voter saw its I/O thread connected to the failed server.
            case receiving
            /// Some voter reached it and it does not receive from the failed server.
            case broken
            /// A majority of the voters could not reach it.
            case unreachable
            /// Neither: too few voters reached it to call it broken.
            case unknown
        }

        public var key: InstanceKey
        public var state: State
    }

    public struct Verdict: Sendable, Equatable, Codable {
        public var decision: Decision
        public var reason: String
        public var failed: InstanceKey
        public var quorum: Int
        public var votes: [Vote]
        public var replicas: [ReplicaState]
        /// How long the whole round took (asking every voter, in parallel), when measured.
        public var milliseconds: Int?

        /// The voters that saw the failed server alive.
        public var seenAliveBy: [String] { votes.filter { $0.sawAlive != nil }.map(\.node) }

        /// The verdict as JSON (sorted keys), as recoveries store it.
        public func encoded() -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (try? encoder.encode(self)) ?? Data()
        }
    }

    public static func decide(_ input: Input) -> Verdict {
        let failed = input.request.failed
        let voters = input.voters.isEmpty ? input.views.map(\.node) : input.voters
        let quorum = voters.count / 2 + 1
        let votes = voters.map { node -> Vote in
            guard let view = input.views.first(where: { $0.node == node }) else {
                return Vote(node: node, answered: false, note: input.unanswered[node] ?? "no answer in time")
            }
            let sighting = view.sighting(of: failed)
            return Vote(
                node: node, answered: true, reachesFailed: sighting?.reachable,
                sawAlive: aliveEvidence(in: view, input: input), note: sighting?.error ?? "does not watch it",
                milliseconds: view.milliseconds)
        }
        let replicas = input.request.replicas.filter { $0 != failed }.map {
            ReplicaState(key: $0, state: state(of: $0, failed: failed, views: input.views, quorum: quorum))
        }
        let cannotReach = votes.filter { $0.reachesFailed == false }
        // No answer, or an answer without a sighting of the failed server (a node that does not watch it).
        let silent = votes.filter { $0.reachesFailed == nil }
        let decision: Decision
        let reason: String
        if let alive = votes.first(where: { $0.sawAlive != nil }), let evidence = alive.sawAlive {
            decision = .refused
            reason = "node \(alive.node) sees \(failed) alive: \(evidence)"
        } else if cannotReach.count >= quorum {
            decision = .confirmed
            reason = "\(cannotReach.count) of \(voters.count) voters cannot reach \(failed) (quorum \(quorum)) and none sees it alive"
        } else if cannotReach.count + silent.count >= quorum {
            decision = .waiting
            reason = "only \(votes.count - silent.count) of \(voters.count) voters looked at \(failed) in time (\(cannotReach.count) "
                + "cannot reach \(failed); \(quorum) must agree)"
                + (silent.isEmpty ? "" : "; no answer from " + silent.map { "\($0.node) (\($0.note))" }.joined(separator: ", "))
        } else {
            let reaching = votes.filter { $0.reachesFailed == true }.map(\.node)
            decision = .refused
            reason = "only \(cannotReach.count) of \(voters.count) voters cannot reach \(failed) (quorum \(quorum)); "
                + "reached by \(reaching.joined(separator: ", "))"
        }
        return Verdict(decision: decision, reason: reason, failed: failed, quorum: quorum, votes: votes, replicas: replicas)
    }

    /// What in `view` shows the failed server alive, if anything.
    static func aliveEvidence(in view: PeerView, input: Input) -> String? {
        let failed = input.request.failed
        if let receiver = view.sightings.first(where: { $0.key != failed && $0.receives(from: failed) }) {
            return "replica \(receiver.key) receives from it"
        }
        guard let sighting = view.sighting(of: failed), sighting.reachable else { return nil }
        if input.isPrimary {
            return sighting.readOnly ? nil : "reachable and writable"
        }
        return nil
    }

    static func state(
        of replica: InstanceKey, failed: InstanceKey, views: [PeerView], quorum: Int
    ) -> ReplicaState.State {
        let sightings = views.compactMap { $0.sighting(of: replica) }
        if sightings.contains(where: { $0.receives(from: failed) }) { return .receiving }
        if sightings.contains(where: \.reachable) { return .broken }
        return sightings.filter { !$0.reachable }.count >= quorum ? .unreachable : .unknown
    }
}
