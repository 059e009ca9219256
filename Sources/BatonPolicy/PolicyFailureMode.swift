/// What a recovery does when its policy fails to load, errors, returns an invalid answer or hits a limit.
public enum PolicyFailureMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Carry on as if there were no policy: Baton's built-in filters and ranking decide.
    case builtInRules = "builtin"
    /// Do not recover; the audit says why.
    case abort
}
