import BatonCore
import Foundation

/// What the engine needs from the configuration file.
public struct EngineConfiguration: Sendable {
    public var pollInterval: Duration
    public var reasonableCheckSeconds: Int
    public var maxConcurrency: Int
    public var defaultPort: Int
    public var hostnameResolution: HostnameResolution
    public var patterns: HostnamePatterns
    /// How often changed instances are written to SQLite (one transaction per flush).
    public var flushInterval: Duration
    /// The least time the scheduler sleeps until the next instance falls due, so that instances falling due
    /// within it are started together. Urgent probes (discovery, a neighbour's failure) wake it at once.
    public var schedulerTick: Duration

    public init(
        pollInterval: Duration = .seconds(5), reasonableCheckSeconds: Int = 1, maxConcurrency: Int = 300,
        defaultPort: Int = 3306, hostnameResolution: HostnameResolution = .hostnameVariable,
        patterns: HostnamePatterns = HostnamePatterns(), flushInterval: Duration = .milliseconds(200),
        schedulerTick: Duration = .milliseconds(50)
    ) {
        self.pollInterval = pollInterval
        self.reasonableCheckSeconds = reasonableCheckSeconds
        self.maxConcurrency = maxConcurrency
        self.defaultPort = defaultPort
        self.hostnameResolution = hostnameResolution
        self.patterns = patterns
        self.flushInterval = flushInterval
        self.schedulerTick = schedulerTick
    }

    public var pollSeconds: Int { Int(pollInterval.components.seconds) }
}

extension EngineConfiguration {
    public init(_ discovery: BatonConfiguration.DiscoverySettings) {
        self.init(
            pollInterval: .seconds(discovery.instancePollSeconds),
            reasonableCheckSeconds: discovery.reasonableInstanceCheckSeconds,
            maxConcurrency: discovery.maxConcurrency, defaultPort: discovery.defaultInstancePort,
            hostnameResolution: HostnameResolution(rawValue: discovery.mysqlHostnameResolveMethod) ?? .none,
            patterns: HostnamePatterns(
                dataCenter: discovery.dataCenterPattern, region: discovery.regionPattern,
                physicalEnvironment: discovery.physicalEnvironmentPattern))
    }
}
