import Foundation

/// "Data centres" on one Linux machine, for fault-injection tests: one network namespace per data centre, each with
/// one address on a private /24, joined by veth pairs to a bridge that the lab creates. The test process stays in
/// the root namespace and reaches every data centre through the bridge's own address (the controller); faults are
/// nftables rules inside the data centres' namespaces (see `NetworkLab+Faults`), which never drop the controller.
///
/// The lab creates only its own namespaces, links and rules (all named `<id>-…`, `id` = "btn" + 5 hex digits), keeps
/// a record of them in `/run/baton-netlab/<id>` with the owning process id, and `tearDown` removes them. A lab left
/// behind by a test process that died is removed by the next `NetworkLab.create` (`removeLeftovers`). Traffic stays
/// on the bridge: nothing is routed or masqueraded to the machine's real interfaces.
///
/// Needs root (namespaces, links, nftables); installs `nftables` and `iproute2` with apt-get when missing.
public final class NetworkLab: Sendable {
    public struct DataCentre: Sendable, Hashable {
        /// 1-based, as in "DC1".
        public let number: Int
        public let namespace: String
        public let address: String
    }

    public struct SetupFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let id: String
    /// The first three octets of the lab's /24, e.g. "10.213.7".
    public let subnet: String
    public let dataCentres: [DataCentre]
    /// The root namespace's address on the lab bridge: where the test process's own connections come from.
    public var controllerAddress: String { "\(subnet).254" }
    var bridge: String { "\(id)-br" }

    static let recordDirectory = URL(fileURLWithPath: "/run/baton-netlab")
    static let table = "baton_faults"

    private init(id: String, subnet: String, dataCentres: [DataCentre]) {
        self.id = id
        self.subnet = subnet
        self.dataCentres = dataCentres
    }

    public func dataCentre(_ number: Int) -> DataCentre { dataCentres[number - 1] }

    /// Builds a lab of `count` data centres. Throws a `SetupFailure` that says what is missing (root, tools).
    public static func create(dataCentres count: Int) throws -> NetworkLab {
        guard getuid() == 0 else {
            throw SetupFailure(description: "the fault-injection lab needs root (network namespaces and nftables)")
        }
        try ensureTools()
        removeLeftovers()
        let id = "btn" + String(format: "%05x", Int.random(in: 0..<0x100000))
        let subnet = try freeSubnet()
        let lab = NetworkLab(
            id: id, subnet: subnet,
            dataCentres: (1...count).map { DataCentre(number: $0, namespace: "\(id)-dc\($0)", address: "\(subnet).\($0)") })
        try FileManager.default.createDirectory(at: recordDirectory, withIntermediateDirectories: true)
        try "\(getpid()) \(subnet) \(count)\n".write(
            to: recordDirectory.appendingPathComponent(id), atomically: true, encoding: .utf8)
        do {
            try lab.build()
        } catch {
            lab.tearDown()
            throw error
        }
        return lab
    }

    private func build() throws {
        try Self.ip(["link", "add", bridge, "type", "bridge"])
        try Self.ip(["addr", "add", "\(controllerAddress)/24", "dev", bridge])
        try Self.ip(["link", "set", bridge, "up"])
        for centre in dataCentres {
            let hostEnd = "\(id)-h\(centre.number)"
            let namespaceEnd = "\(id)-n\(centre.number)"
            try Self.ip(["netns", "add", centre.namespace])
            try Self.ip(["link", "add", hostEnd, "type", "veth", "peer", "name", namespaceEnd])
            try Self.ip(["link", "set", namespaceEnd, "netns", centre.namespace])
            try Self.ip(["link", "set", hostEnd, "master", bridge])
            try Self.ip(["link", "set", hostEnd, "up"])
            try Self.ip(["-n", centre.namespace, "addr", "add", "\(centre.address)/24", "dev", namespaceEnd])
            try Self.ip(["-n", centre.namespace, "link", "set", namespaceEnd, "up"])
            try Self.ip(["-n", centre.namespace, "link", "set", "lo", "up"])
            try nft(centre, script: """
                table inet \(Self.table) {
                  chain input { type filter hook input priority 0; policy accept; }
                  chain output { type filter hook output priority 0; policy accept; }
                }
                """)
        }
    }

    /// Removes everything this lab created. Safe to call twice.
    public func tearDown() {
        for centre in dataCentres {
            _ = try? Self.ip(["netns", "delete", centre.namespace])
            _ = try? Self.ip(["link", "delete", "\(id)-h\(centre.number)"])
        }
        _ = try? Self.ip(["link", "delete", bridge])
        try? FileManager.default.removeItem(at: Self.recordDirectory.appendingPathComponent(id))
    }

    /// Removes the labs whose owning process no longer runs (a test process that crashed or was killed).
    public static func removeLeftovers() {
        guard let records = try? FileManager.default.contentsOfDirectory(atPath: recordDirectory.path) else { return }
        for id in records where id.hasPrefix("btn") {
            let record = (try? String(contentsOf: recordDirectory.appendingPathComponent(id), encoding: .utf8)) ?? ""
            let fields = record.split(separator: " ")
            // kill(pid, 0) fails (ESRCH) once the owner is gone; a lab without a readable owner is removed too.
            if let pid = fields.first.flatMap({ Int32($0) }), kill(pid, 0) == 0 { continue }
            let count = fields.count > 2 ? Int(fields[2].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 9 : 9
            NetworkLab(
                id: id, subnet: String(fields.count > 1 ? fields[1] : ""),
                dataCentres: (1...count).map { DataCentre(number: $0, namespace: "\(id)-dc\($0)", address: "") }
            ).tearDown()
        }
    }
}
