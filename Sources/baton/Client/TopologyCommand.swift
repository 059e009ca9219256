import ArgumentParser
import BatonClient

/// `baton topology -i host[:port]` or `-c cluster`: prints the cluster as an ASCII tree.
struct TopologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print a cluster's replication tree.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var cluster: ClusterHintOptions

    func run() async throws {
        let hint = try cluster.hint()
        try await ClientCommandRunner.run(api) { client in
            let tree = try await client.topology(hint)
            print(tree, terminator: tree.hasSuffix("\n") || tree.isEmpty ? "" : "\n")
        }
    }
}
