import ArgumentParser
import BatonClient
import BatonCore

/// `baton clusters`: prints the name of every known cluster, one per line (from `clusters-info`).
struct ClustersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusters",
        abstract: "List the cluster names, one per line.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions

    func run() async throws {
        try await ClientCommandRunner.run(api) { client in
            for cluster in try await client.clustersInfo() {
                print(cluster.clusterName)
            }
        }
    }
}
