/// The moments of a recovery at which hooks run, with orchestrator's names.
///
/// Pre phases (`onFailureDetection`, `preGracefulTakeover`, `preFailover`, `preFailoverFencing`) stop at the first hook
/// that fails and abort the operation; post phases run every hook and never change the recovery's outcome.
public enum HookPhase: String, Sendable, Hashable, Codable, CaseIterable {
    case onFailureDetection = "OnFailureDetection"
    case preGracefulTakeover = "PreGracefulTakeover"
    case preFailover = "PreFailover"
    /// Baton's: after `preFailover`, before a dead primary's recovery changes any server — the operator's means of
    /// cutting the unreachable primary off (power, firewall, virtual IP). A failure aborts the recovery.
    case preFailoverFencing = "PreFailoverFencing"
    case postMasterFailover = "PostMasterFailover"
    case postIntermediateMasterFailover = "PostIntermediateMasterFailover"
    case postFailover = "PostFailover"
    case postUnsuccessfulFailover = "PostUnsuccessfulFailover"
    case postGracefulTakeover = "PostGracefulTakeover"

    /// The configuration key that lists this phase's hooks (`PreFailoverProcesses`).
    public var configurationKey: String { rawValue + "Processes" }

    /// Whether a failing hook aborts the operation (and the remaining hooks of the phase do not run).
    public var abortsOnFailure: Bool {
        switch self {
        case .onFailureDetection, .preGracefulTakeover, .preFailover, .preFailoverFencing: true
        default: false
        }
    }

    /// Whether the successor is normally known when this phase runs; where it is not, the successor placeholders
    /// stay literally in the command, as in orchestrator.
    var hasSuccessor: Bool {
        switch self {
        case .onFailureDetection, .preFailover, .preFailoverFencing, .postUnsuccessfulFailover: false
        default: true
        }
    }
}
