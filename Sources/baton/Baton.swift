import ArgumentParser

/// `baton`: the daemon (`baton serve`) and the client commands that talk to its HTTP API.
@main
struct Baton: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "Highly available failover manager for MySQL and MariaDB replication.",
        subcommands: [ServeCommand.self, AnalyzeCommand.self, PolicyCommand.self] + clientCommands)
}
