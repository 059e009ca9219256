import Foundation

/// Faults between data centres, as nftables rules in the data centres' own namespaces. Drops are silent (no reset),
/// like a real partition: connections time out. The controller's address is never dropped, so the test keeps
/// observing both sides of a partition.
extension NetworkLab {
    /// Cuts `centre` off from every other data centre, both directions.
    public func isolate(_ centre: Int) throws {
        for other in dataCentres where other.number != centre {
            try cut(centre, other.number)
        }
    }

    /// Cuts the link between two data centres, both directions.
    public func cut(_ first: Int, _ second: Int) throws {
        try cutOneWay(from: first, to: second)
        try cutOneWay(from: second, to: first)
    }

    /// Drops the packets `source` sends to `destination` (at both ends); the other direction still flows, so a
    /// connection either way stalls while `destination` still hears `source`'s silence only.
    public func cutOneWay(from source: Int, to destination: Int) throws {
        let sender = dataCentre(source)
        let receiver = dataCentre(destination)
        try nft(sender, script: "add rule inet \(Self.table) output ip daddr \(receiver.address) drop\n")
        try nft(receiver, script: "add rule inet \(Self.table) input ip saddr \(sender.address) drop\n")
    }

    /// Drops `percent`% of the TCP packets that `centre` receives from the other data centres, at random.
    public func loss(percent: Int, into centre: Int) throws {
        let others = dataCentres.filter { $0.number != centre }.map(\.address).joined(separator: ", ")
        try nft(dataCentre(centre), script: """
            add rule inet \(Self.table) input ip saddr { \(others) } meta l4proto tcp numgen random mod 100 < \(percent) drop

            """)
    }

    /// Removes every fault.
    public func heal() throws {
        for centre in dataCentres {
            try nft(centre, script: "flush chain inet \(Self.table) input\nflush chain inet \(Self.table) output\n")
        }
    }

    /// The rules now in force, one data centre per section (for failure messages and reports).
    public func rules() -> String {
        dataCentres.map { centre in
            let listing = (try? ProcessRunner.run(
                Self.ipPath, ["netns", "exec", centre.namespace, Self.nftPath ?? "nft", "list", "table", "inet", Self.table])) ?? "?"
            return "DC\(centre.number):\n\(listing)"
        }.joined(separator: "\n")
    }
}
