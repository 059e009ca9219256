import ArgumentParser
import BatonClient
import Foundation

/// What every client subcommand does around its request: configure the client, run, report failures.
enum ClientCommandRunner {
    /// Runs `body` with a client configured from `api`. A failure is printed to stderr as one line,
    /// `baton: <message>`, and becomes the ``ClientExitCode`` for it.
    static func run(
        _ api: APIOptions,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (BatonAPIClient) async throws -> Void
    ) async throws {
        do {
            let configuration = try api.configuration()
            try await BatonAPIClient.withClient(configuration: configuration) { client in
                try await body(client)
            }
        } catch let error as BatonAPIError {
            printError(error.message)
            throw ClientExitCode.forError(error)
        } catch let error as ExitCode {
            throw error
        } catch {
            printError(String(describing: error))
            throw ClientExitCode.serverError
        }
    }

    /// Writes `baton: <message>` and a newline to stderr.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("baton: \(message)\n".utf8))
    }
}
