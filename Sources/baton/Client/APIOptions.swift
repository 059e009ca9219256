import ArgumentParser
import BatonClient
import Foundation

/// `--api`, shared by the client subcommands: where the Baton API is.
struct APIOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "API base URL(s), space-separated; '/api' is appended when missing. Default: $BATON_API.",
            discussion: "With several URLs the first one whose /api/leader-check answers HTTP 200 is used.",
            valueName: "url"))
    var api: String?

    /// The client configuration: `--api` or `BATON_API`, plus `BATON_AUTH_USER`/`BATON_AUTH_PASSWORD`.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> BatonAPIConfiguration
    {
        try BatonAPIConfiguration(apiOption: api, environment: environment)
    }
}
