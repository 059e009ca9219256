import BatonCore
import Foundation

/// The confirmation round: before the leader registers a recovery of a dead primary or intermediate primary, every
/// voter of the Raft group looks again at the failed server and its replicas, and `FailureConfirmation` decides from
/// their views. This node looks itself (its monitor); the others are asked in parallel through `PeerViewing`, each
/// within `timeout` — a voter that does not answer in time has no vote.
public struct GroupConfirmation: Sendable {
    let monitor: TopologyMonitor
    let peers: any PeerViewing
    /// This node's name among the voters.
    let selfName: String
    /// The voters now (this node included), with their published APIs.
    let voters: @Sendable () -> [ConfirmationVoter]
    let timeout: Duration

    public init(
        monitor: TopologyMonitor, peers: any PeerViewing, selfName: String,
        voters: @escaping @Sendable () -> [ConfirmationVoter], timeout: Duration
    ) {
        self.monitor = monitor
        self.peers = peers
        self.selfName = selfName
        self.voters = voters
        self.timeout = timeout
    }

    /// Runs one round for `request` and returns the group's verdict.
    public func confirm(_ request: PeerViewRequest, isPrimary: Bool) async -> FailureConfirmation.Verdict {
        let clock = ContinuousClock()
        let started = clock.now
        let voters = self.voters()
        let answers = await withTaskGroup(of: (String, Result<PeerView, PeerViewFailure>).self) { group in
            for voter in voters {
                group.addTask { (voter.name, await self.ask(voter, request)) }
            }
            var answers: [(String, Result<PeerView, PeerViewFailure>)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        var views: [PeerView] = []
        var unanswered: [String: String] = [:]
        for (name, answer) in answers {
            switch answer {
            case .success(var view):
                view.node = name
                views.append(view)
            case .failure(let failure):
                unanswered[name] = failure.reason
            }
        }
        var verdict = FailureConfirmation.decide(
            FailureConfirmation.Input(
                request: request, isPrimary: isPrimary, voters: voters.map(\.name), views: views,
                unanswered: unanswered))
        verdict.milliseconds = Int((clock.now - started).inMilliseconds)
        return verdict
    }

    /// This node's view, as it answers the others too.
    public func localView(_ request: PeerViewRequest) async -> PeerView {
        let clock = ContinuousClock()
        let started = clock.now
        let sightings = await monitor.lookAgain(at: request.keys)
        return PeerView(node: selfName, sightings: sightings, milliseconds: Int((clock.now - started).inMilliseconds))
    }

    func ask(_ voter: ConfirmationVoter, _ request: PeerViewRequest) async -> Result<PeerView, PeerViewFailure> {
        let timeout = self.timeout
        let work: @Sendable () async throws -> PeerView
        if voter.name == selfName {
            work = { await self.localView(request) }
        } else if !voter.recentlyActive {
            return .failure(PeerViewFailure(reason: "not heard from over Raft lately"))
        } else if let api = voter.api {
            work = { try await self.peers.view(request, at: api, timeout: timeout) }
        } else {
            return .failure(PeerViewFailure(reason: "its API is not published yet"))
        }
        return await withTaskGroup(of: Result<PeerView, PeerViewFailure>?.self) { group in
            group.addTask {
                do {
                    return .success(try await work())
                } catch {
                    return .failure(PeerViewFailure(reason: "\(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return nil }
                return .failure(PeerViewFailure(reason: "no answer within \(timeout.inMilliseconds) ms"))
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(PeerViewFailure(reason: "cancelled"))
        }
    }
}

/// Why a voter has no vote.
struct PeerViewFailure: Error {
    var reason: String
}
