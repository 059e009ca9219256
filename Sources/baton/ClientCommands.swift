import ArgumentParser

/// The client subcommands (see Sources/baton/Client and docs/cli.md).
let clientCommands: [any ParsableCommand.Type] = [
    DiscoverCommand.self, ForgetCommand.self, ClustersCommand.self, TopologyCommand.self, InstanceCommand.self,
    WhichClusterMasterCommand.self, ReplicationAnalysisCommand.self, BeginDowntimeCommand.self,
    EndDowntimeCommand.self, DowntimedCommand.self, RegisterCandidateCommand.self, GlobalRecoveriesCommand.self,
    RecoverCommand.self, ForceMasterFailoverCommand.self, GracefulMasterTakeoverCommand.self, AuditRecoveryCommand.self,
    AuditRecoveryStepsCommand.self, BlockedRecoveriesCommand.self, AcknowledgeRecoveryCommand.self, WhatIfCommand.self,
]
