import Foundation

extension Instance {
    /// Where an instance stands, as the configured host name patterns place it.
    public struct Location: Hashable, Sendable {
        public var dataCenter: String
        public var region: String
        public var physicalEnvironment: String

        public init(dataCenter: String = "", region: String = "", physicalEnvironment: String = "") {
            self.dataCenter = dataCenter
            self.region = region
            self.physicalEnvironment = physicalEnvironment
        }
    }

    /// Records the outcome of one probe.
    ///
    /// `lastAttempted` is stamped with when the probe started but only now, with its outcome: an attempt that
    /// merely started late (a busy scheduler) must not turn the last check invalid while it runs
    /// (`isLastCheckValid`). A success replaces the facts and clears the error; a partial probe takes only the
    /// identity it read and keeps the last full picture; a failure keeps the facts, so analysis sees the last
    /// known state of a server that stopped answering.
    /// - Parameters:
    ///   - latency: how long the probe took; kept for a success only.
    ///   - location: where the host name patterns place the instance; applied on a success only.
    public mutating func record(
        _ outcome: ProbeOutcome, startedAt: Date, finishedAt: Date, latency: Duration, location: Location
    ) {
        lastAttempted = startedAt
        lastChecked = finishedAt
        switch outcome {
        case .success(let read):
            facts = read
            lastSeen = finishedAt
            isLastCheckPartial = false
            lastError = ""
            lastProbeLatencyNanoseconds = latency.inNanoseconds
            dataCenter = location.dataCenter
            region = location.region
            physicalEnvironment = location.physicalEnvironment
        case .partial(let read, let error):
            facts.merge(identityFrom: read)
            isLastCheckPartial = true
            lastError = "\(error)"
        case .failure(let error):
            isLastCheckPartial = false
            lastError = "\(error)"
        }
    }

    /// Records that the server closed the probe connection between polls: a failed check now, before the next
    /// probe finds out.
    public mutating func recordLostConnection(_ reason: String, at date: Date) {
        lastChecked = date
        isLastCheckPartial = false
        lastError = reason
    }
}

extension InstanceFacts {
    /// Keeps the last full picture but takes the identity a partial probe did read.
    public mutating func merge(identityFrom partial: InstanceFacts) {
        serverID = partial.serverID
        serverUUID = partial.serverUUID
        version = partial.version ?? version
        readOnly = partial.readOnly
        superReadOnly = partial.superReadOnly
    }
}
