import BatonPolicy
import Foundation

/// The Lua policy a node runs: none, loaded, or a file that failed to load (then every recovery applies
/// `PolicyFailureMode` and its audit says why).
public enum LoadedPolicy: Sendable {
    case none
    case loaded(Policy)
    case failed(path: String, error: String)

    /// Loads `PolicyScript`; an empty path means no policy.
    public static func load(path: String, limits: PolicyLimits) -> LoadedPolicy {
        guard !path.isEmpty else { return .none }
        do {
            return .loaded(try Policy(contentsOfFile: path, limits: limits))
        } catch {
            return .failed(path: path, error: error.description)
        }
    }

    public var policy: Policy? {
        if case .loaded(let policy) = self { return policy }
        return nil
    }

    /// The content hash recorded in every recovery's audit and shown by `status`; empty without a policy.
    public var contentHash: String {
        switch self {
        case .none: ""
        case .loaded(let policy): policy.contentHash
        case .failed: "load-failed"
        }
    }

    /// Why the policy cannot be used, when it failed to load.
    public var loadError: String? {
        if case .failed(let path, let error) = self { return "the policy \(path) failed to load: \(error)" }
        return nil
    }
}
