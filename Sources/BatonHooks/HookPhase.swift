/// The moments of a recovery at which hooks run, with orchestrator's names.
///
/// Pre phases (`onFailureDetection`, `preGracefulTakeover`, `preFailover`) stop at the first hook that fails and abort
/// the operation; post phases run every hook and never change the recovery's outcome.
public enum HookPhase: String, Sendable, Hashable, Codable, CaseIterable {
    case onFailureDetection = "OnFailureDetection"
    case preGracefulTakeover = "PreGracefulTakeover"
    case preFailover = "PreFailover"
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
        case .onFailureDetection, .preGracefulTakeover, .preFailover: true
        default: false
        }
    }

    /// Whether the successor is normally known when this phase runs; where it is not, the successor placeholders
    /// stay literally in the command, as in orchestrator.
    var hasSuccessor: Bool {
        switch self {
        case .onFailureDetection, .preFailover, .postUnsuccessfulFailover: false
        default: true
        }
    }
}
