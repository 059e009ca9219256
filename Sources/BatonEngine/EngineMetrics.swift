import CoreMetrics
import Metrics

/// The engine's metrics, created from an injected factory so that tests and several engines in one process
/// never share a global registry.
public struct EngineMetrics: Sendable {
    let probes: Counter
    let probeErrors: Counter
    let partialProbes: Counter
    let probeDuration: Metrics.Timer
    let instancesKnown: Gauge
    let storeWrites: Counter
    let storeErrors: Counter

    public init(factory: any MetricsFactory) {
        probes = Counter(label: "baton_probes_total", factory: factory)
        probeErrors = Counter(label: "baton_probe_errors_total", factory: factory)
        partialProbes = Counter(label: "baton_probes_partial_total", factory: factory)
        probeDuration = Metrics.Timer(label: "baton_probe_duration_seconds", factory: factory)
        instancesKnown = Gauge(label: "baton_instances_known", factory: factory)
        storeWrites = Counter(label: "baton_store_instance_writes_total", factory: factory)
        storeErrors = Counter(label: "baton_store_errors_total", factory: factory)
    }

    /// Metrics that go nowhere.
    public static var discarding: EngineMetrics { EngineMetrics(factory: NOOPMetricsHandler.instance) }
}
