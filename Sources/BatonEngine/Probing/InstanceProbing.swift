import BatonCore
import BatonMySQL

/// Probes instances by key. The production implementation keeps one persistent MySQL connection per instance;
/// tests may script outcomes.
public protocol InstanceProbing: Sendable {
    /// Reads one instance. Must return within the configured connect and read timeouts.
    func probe(_ key: InstanceKey) async -> ProbeOutcome
    /// Drops whatever is kept for `key` (its connection), e.g. after `forget`.
    func release(_ key: InstanceKey) async
    /// Closes every connection.
    func shutdown() async
    /// Connections the servers closed between probes, as they happen.
    var connectionLosses: AsyncStream<ConnectionLoss> { get }
}
