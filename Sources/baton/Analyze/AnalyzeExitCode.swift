import ArgumentParser

/// The exit codes of `baton analyze`, which shell scripts may rely on:
///
/// | code | meaning |
/// | ---- | ------- |
/// | 0    | the snapshot was analysed (whether or not it shows problems) |
/// | 1    | the snapshot is malformed (not JSON, not an array of Instance objects) or inconsistent |
/// | 64   | usage error: an unknown or missing option (argument-parser's `EX_USAGE`) |
/// | 66   | the snapshot file cannot be read (`EX_NOINPUT`) |
enum AnalyzeExitCode {
    static let discussion =
        "Exit codes: 0 analysed, 1 malformed or inconsistent snapshot, 64 usage error, 66 file unreadable."
    static let success = ExitCode.success
    static let badSnapshot = ExitCode(1)
    static let usage = ExitCode.validationFailure
    static let noInput = ExitCode(66)
}
