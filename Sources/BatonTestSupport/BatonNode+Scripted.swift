import BatonEngine
import BatonStore
import Foundation
import Logging

extension BatonNode {
    /// A single node over scripted servers and an in-memory SQLite database, built through the composition root
    /// like `baton serve` builds its node. `configuration` is a Baton configuration file's JSON; unless it says
    /// otherwise, the poll interval is 60 s (scripted servers never go stale during a test) and probes do not rename
    /// instances.
    public static func scripted(
        _ probing: ScriptedProbing, configuration json: String = "{}", database: BatonDatabase? = nil,
        leadership: (any Leadership)? = nil, peerViews: (any PeerViewing)? = nil,
        voters: (@Sendable () -> [ConfirmationVoter])? = nil, metrics: EngineMetrics = .discarding,
        nodeName: String = "baton-test",
        logger: Logger = Logger(label: "test"), now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> BatonNode {
        var object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
        if object["InstancePollSeconds"] == nil { object["InstancePollSeconds"] = 60 }
        if object["MySQLHostnameResolveMethod"] == nil { object["MySQLHostnameResolveMethod"] = "none" }
        let configuration = try BatonConfiguration.parse(try JSONSerialization.data(withJSONObject: object))
        return try await BatonNode(
            configuration: configuration, database: database ?? BatonDatabase(), probing: probing,
            leadership: leadership, peerViews: peerViews, voters: voters, metrics: metrics, logger: logger,
            nodeName: nodeName, now: now)
    }
}
