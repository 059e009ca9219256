import BatonEngine
import Foundation
import Hummingbird

extension BatonAPI {
    /// orchestrator's Raft routes. Without Raft a node reports itself as the leader of a group of one.
    func addRaftRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api")

        api.get("raft-state") { _, _ -> Response in
            guard let raft else { return JSONBody.response("Leader") }
            return JSONBody.response(raft.groupStatus.stateName)
        }
        api.get("raft-leader") { _, _ -> Response in
            JSONBody.response(raft.map { $0.leaderAddress ?? "" } ?? "")
        }
        api.get("raft-health") { _, _ -> Response in
            guard let raft, !raft.isHealthy else { return JSONBody.response("healthy") }
            throw APIError("unhealthy")
        }
        api.get("raft-status") { _, _ -> Response in
            guard let raft else { throw APIError("Raft is not enabled on this node") }
            let status = raft.groupStatus
            return JSONBody.response(
                RaftStatusDocument(
                    raftBind: "\(raft.settings.bindHost):\(raft.settings.bindPort)", raftAdvertise: raft.settings.advertise,
                    state: status.stateName, healthy: raft.isHealthy,
                    isPartOfQuorum: raft.isLeader || status.leaderAddress != nil,
                    leader: status.leaderAddress ?? "", leaderURI: raft.leaderAPI ?? "", term: status.term,
                    commitIndex: status.commitIndex, appliedIndex: status.appliedIndex,
                    peers: status.members.map(\.address),
                    members: status.members.map { member in
                        RaftStatusDocument.Member(
                            id: String(member.id), address: member.address, role: member.isVoter ? "voter" : "learner",
                            matchIndex: member.matchIndex, recentlyActive: member.recentlyActive)
                    }))
        }
        api.get("raft-peers") { _, _ -> Response in
            guard let raft else { return JSONBody.response([String]()) }
            return JSONBody.response(raft.groupStatus.members.map(\.address))
        }
        api.get("raft-yield/:node") { _, context -> Response in
            guard let raft else { throw APIError("Raft is not enabled on this node") }
            let target = parameter(context, "node") ?? ""
            do {
                try await raft.yield(to: target)
            } catch {
                throw APIError("Cannot yield to \(target): \(error)")
            }
            return JSONBody.ok("Yielded to \(target)", details: target)
        }
        api.get("raft-yield-hint/:hint") { _, context -> Response in
            guard let raft else { throw APIError("Raft is not enabled on this node") }
            let hint = parameter(context, "hint") ?? ""
            guard let target = raft.groupStatus.members.first(where: { !hint.isEmpty && $0.address.contains(hint) })
            else { throw APIError("No Raft member matches \"\(hint)\"") }
            do {
                try await raft.yield(to: target.address)
            } catch {
                throw APIError("Cannot yield to \(target.address): \(error)")
            }
            return JSONBody.ok("Yielded to \(target.address)", details: hint)
        }
        api.get("raft-add-peer/:addr") { _, context -> Response in
            guard let raft else { throw APIError("Raft is not enabled on this node") }
            let address = parameter(context, "addr") ?? ""
            do {
                _ = try await raft.addPeer(address)
            } catch {
                throw APIError("Cannot add \(address): \(error)")
            }
            return JSONBody.response(address)
        }
        api.get("raft-remove-peer/:addr") { _, context -> Response in
            guard let raft else { throw APIError("Raft is not enabled on this node") }
            let address = parameter(context, "addr") ?? ""
            do {
                try await raft.removePeer(address)
            } catch {
                throw APIError("Cannot remove \(address): \(error)")
            }
            return JSONBody.response(address)
        }
    }
}

/// `raft-status`: orchestrator's fields plus Baton's term, indexes and members.
struct RaftStatusDocument: Codable, Sendable {
    struct Member: Codable, Sendable {
        var id: String
        var address: String
        var role: String
        var matchIndex: UInt64?
        var recentlyActive: Bool?
        enum CodingKeys: String, CodingKey {
            case id = "Id", address = "Address", role = "Role", matchIndex = "MatchIndex", recentlyActive = "RecentlyActive"
        }
    }

    var raftBind: String
    var raftAdvertise: String
    var state: String
    var healthy: Bool
    var isPartOfQuorum: Bool
    var leader: String
    var leaderURI: String
    var term: UInt64
    var commitIndex: UInt64
    var appliedIndex: UInt64
    var peers: [String]
    var members: [Member]

    enum CodingKeys: String, CodingKey {
        case raftBind = "RaftBind", raftAdvertise = "RaftAdvertise", state = "State", healthy = "Healthy"
        case isPartOfQuorum = "IsPartOfQuorum", leader = "Leader", leaderURI = "LeaderURI", term = "Term"
        case commitIndex = "CommitIndex", appliedIndex = "AppliedIndex", peers = "Peers", members = "Members"
    }
}
