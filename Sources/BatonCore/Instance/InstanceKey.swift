import Foundation

/// The identity of a database server: the host name Baton reaches it by, and its port.
///
/// Encoded as orchestrator encodes it (`{"Hostname": …, "Port": …}`) so API clients and scripts keep working.
public struct InstanceKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var hostname: String
    public var port: Int

    public init(hostname: String, port: Int) {
        self.hostname = hostname
        self.port = port
    }

    /// `host:port`, the form used in cluster names, the CLI and logs.
    public var description: String { "\(hostname):\(port)" }

    /// A key is valid when it names a host and a TCP port.
    public var isValid: Bool { !hostname.isEmpty && (1...65535).contains(port) }

    public static func < (lhs: InstanceKey, rhs: InstanceKey) -> Bool {
        (lhs.hostname, lhs.port) < (rhs.hostname, rhs.port)
    }

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname"
        case port = "Port"
    }
}

extension InstanceKey {
    /// Parses `host`, `host:port`, `[v6addr]:port` or `v6addr` (no port), using `defaultPort` when none is given.
    /// - Returns: `nil` when the text is empty or the port is not a number in 1...65535.
    public init?(parsing text: String, defaultPort: Int) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        var port = defaultPort
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { return nil }
            port = parsed
        }
        guard !host.isEmpty else { return nil }
        self.init(hostname: host, port: port)
    }
}
