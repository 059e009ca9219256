import ArgumentParser
import BatonClient
import BatonCore

/// `baton which-cluster-master -i host[:port]` or `-c cluster`: prints the key of the cluster's primary.
struct WhichClusterMasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "which-cluster-master",
        abstract: "Print the key (host:port) of a cluster's master.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var cluster: ClusterHintOptions

    func run() async throws {
        let hint = try cluster.hint()
        try await ClientCommandRunner.run(api) { client in
            let master = try await client.master(hint)
            print(master.key.description)
        }
    }
}
