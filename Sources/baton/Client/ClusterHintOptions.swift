import ArgumentParser
import BatonClient
import Foundation

/// `-i host[:port]` or `-c cluster`, for subcommands that act on a cluster named by an instance or by name.
struct ClusterHintOptions: ParsableArguments {
    @Option(
        name: [.customShort("i"), .long],
        help: ArgumentHelp("An instance of the cluster.", valueName: "host[:port]"))
    var instance: String?

    @Option(name: [.customShort("c"), .long], help: ArgumentHelp("The cluster's name or alias.", valueName: "name"))
    var cluster: String?

    @Option(name: .long, help: "The port of an instance given without one.")
    var defaultPort: Int = 3306

    func validate() throws {
        _ = try hint()
    }

    /// The cluster hint: the instance of `-i`, or the name of `-c`.
    func hint() throws -> ClusterHint {
        switch (instance, cluster) {
        case (let instance?, nil):
            return .instance(try InstanceOptions.parseKey(instance, defaultPort: defaultPort))
        case (nil, let cluster?):
            guard !cluster.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("-c needs a cluster name")
            }
            return .name(cluster)
        case (nil, nil):
            throw ValidationError("name the cluster with -i host[:port] or -c cluster")
        case (_?, _?):
            throw ValidationError("give either -i or -c, not both")
        }
    }
}
