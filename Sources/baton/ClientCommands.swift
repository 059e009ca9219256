import ArgumentParser

/// The client subcommands (see Sources/baton/Client and docs/cli.md).
let clientCommands: [any ParsableCommand.Type] = [
    DiscoverCommand.self, ForgetCommand.self, ClustersCommand.self, TopologyCommand.self, InstanceCommand.self,
    WhichClusterMasterCommand.self,
]
