import ArgumentParser
import BatonClient

/// The exit codes of the client subcommands, which shell scripts may rely on:
///
/// | code | meaning |
/// | ---- | ------- |
/// | 0    | success |
/// | 1    | the API answered with an error (unknown instance, unknown cluster, …) or with an unreadable answer |
/// | 3    | no API could be reached: connection refused, unknown host, timeout, or no leader among several URLs |
/// | 64   | usage error: a bad option, no `--api`/`BATON_API`, a malformed URL (argument-parser's `EX_USAGE`) |
enum ClientExitCode {
    /// The exit codes as every client command's help states them.
    static let discussion = "Exit codes: 0 done, 1 the API answered with an error, 3 no API reachable, 64 usage error."
    static let success = ExitCode.success
    static let serverError = ExitCode(1)
    static let unreachable = ExitCode(3)
    static let usage = ExitCode.validationFailure

    /// The exit code for a client failure.
    static func forError(_ error: BatonAPIError) -> ExitCode {
        switch error.code {
        case .serverError, .invalidResponse: serverError
        case .unreachable, .timeout, .noLeader: unreachable
        case .invalidConfiguration: usage
        }
    }
}
