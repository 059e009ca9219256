import BatonCore

/// orchestrator's `MySQLHostnameResolveMethod`: after reading a server, the name it calls itself
/// (`@@hostname` or `@@report_host`) becomes the host name of its key, so that an instance reached by IP
/// address and by name is one instance.
public enum HostnameResolution: String, Sendable {
    case hostnameVariable = "@@hostname"
    case reportHost = "@@report_host"
    case none

    /// The key the instance should be known by, given what the probe read.
    public func canonicalKey(for key: InstanceKey, facts: InstanceFacts) -> InstanceKey {
        let name: String
        switch self {
        case .hostnameVariable: name = facts.reportedHostname
        case .reportHost: name = facts.reportHost
        case .none: name = ""
        }
        guard !name.isEmpty, name != key.hostname else { return key }
        return InstanceKey(hostname: name, port: key.port)
    }
}
