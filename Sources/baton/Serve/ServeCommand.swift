import ArgumentParser
import BatonEngine
import BatonHTTP
import Foundation
import Logging

/// `baton serve --config FILE`: runs the daemon until SIGTERM or SIGINT, then shuts down gracefully
/// (pending results are written to SQLite, connections closed).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the Baton daemon.",
        discussion: "Exit status: 0 after a clean shutdown, 78 when the configuration is invalid, 1 on other errors.")

    @Option(name: [.short, .long], help: "The JSON configuration file (orchestrator's format).")
    var config: String

    func run() async throws {
        let configuration: BatonConfiguration
        do {
            configuration = try BatonConfiguration.load(path: config)
        } catch {
            printError("baton: \(error)")
            throw ExitCode(78)  // EX_CONFIG
        }
        let level: Logger.Level = configuration.debug ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "baton")
        for warning in configuration.warnings {
            logger.warning("Configuration warning", metadata: ["baton.warning": "\(warning)"])
        }
        let server: BatonServer
        do {
            server = try await BatonServer(configuration: configuration, logger: logger)
        } catch {
            printError("baton: \(error)")
            throw ExitCode(1)
        }
        try await server.run()
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
