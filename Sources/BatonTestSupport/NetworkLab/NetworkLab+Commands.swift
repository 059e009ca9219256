import Foundation

extension NetworkLab {
    static let ipPath = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    } ?? "/usr/sbin/ip"

    static var nftPath: String? {
        ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func ip(_ arguments: [String]) throws {
        try ProcessRunner.run(ipPath, arguments)
    }

    /// Loads an nftables script into a data centre's namespace.
    func nft(_ centre: DataCentre, script: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(id)-\(UUID().uuidString).nft")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try ProcessRunner.run(Self.ipPath, ["netns", "exec", centre.namespace, Self.nftPath ?? "nft", "-f", file.path])
    }

    /// Installs nftables and iproute2 with apt-get when `nft` or `ip` is missing.
    static func ensureTools() throws {
        guard nftPath == nil || !FileManager.default.isExecutableFile(atPath: ipPath) else { return }
        let script = """
            set -e
            export DEBIAN_FRONTEND=noninteractive
            apt-get -o DPkg::Lock::Timeout=600 update -qq
            apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nftables iproute2
            """
        do {
            try ProcessRunner.run("/bin/bash", ["-c", script])
        } catch {
            throw SetupFailure(description: "installing nftables and iproute2 failed: \(error)")
        }
        guard nftPath != nil else { throw SetupFailure(description: "nft is still missing after apt-get install nftables") }
    }

    /// A /24 in 10.213.0.0/16 that no interface of this machine and no other lab uses.
    static func freeSubnet() throws -> String {
        let addresses = (try? ProcessRunner.run(ipPath, ["-4", "-o", "addr", "show"])) ?? ""
        let routes = (try? ProcessRunner.run(ipPath, ["-4", "route", "show"])) ?? ""
        let records = (try? FileManager.default.contentsOfDirectory(atPath: recordDirectory.path)) ?? []
        let taken = records.compactMap {
            (try? String(contentsOf: recordDirectory.appendingPathComponent($0), encoding: .utf8))?
                .split(separator: " ").dropFirst().first.map(String.init)
        }
        for third in (0..<255).shuffled() {
            let subnet = "10.213.\(third)"
            if !addresses.contains(subnet + ".") && !routes.contains(subnet + ".") && !taken.contains(subnet) {
                return subnet
            }
        }
        throw SetupFailure(description: "no free /24 left in 10.213.0.0/16")
    }
}
