import BatonCore
import BatonEngine
import BatonMySQL
import Foundation
import Logging
import NIOPosix

extension MariaDBSandbox {
    /// Configuration keys that point a `baton serve` at this sandbox: its Baton account, 1-second polls, replicas
    /// found with `SHOW SLAVE HOSTS`, instances named by `report_host` (127.0.0.1), a 1-second connect timeout.
    public var batonSettings: [String: any Sendable] {
        [
            "MySQLTopologyUser": user, "MySQLTopologyPassword": password, "InstancePollSeconds": 1,
            "DiscoverByShowSlaveHosts": true, "MySQLHostnameResolveMethod": "@@report_host",
            "MySQLConnectTimeoutSeconds": 1,
        ]
    }

    /// The sandbox's Baton account as the configuration loader builds it from `batonSettings` and `extra` keys.
    public func topologyAccess(_ extra: [String: any Sendable] = [:]) throws -> BatonConfiguration.TopologyAccess {
        let document: [String: Any] = batonSettings.merging(extra) { $1 }
        return try BatonConfiguration.parse(JSONSerialization.data(withJSONObject: document)).topology
    }

    /// A prober for this sandbox's servers, as `baton serve` would build it.
    public func probing(_ extra: [String: any Sendable] = [:]) throws -> MySQLInstanceProbing {
        MySQLInstanceProbing(
            access: try topologyAccess(extra),
            options: InstanceProber.Options(discoverByShowReplicaHosts: true, defaultPort: 3306),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "baton.test"))
    }
}
