import Foundation

/// `user` and `password` from the `[client]` section of a my.cnf-style file
/// (orchestrator's `MySQLTopologyCredentialsConfigFile`).
struct MyCnfCredentials: Equatable {
    var user: String?
    var password: String?

    static func read(path: String, key: String) throws(ConfigurationError) -> MyCnfCredentials {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(key: key, "cannot read credentials file \(path)")
        }
        let credentials = parse(text)
        if credentials.user == nil && credentials.password == nil {
            throw ConfigurationError(key: key, "\(path) has no user or password in its [client] section")
        }
        return credentials
    }

    static func parse(_ text: String) -> MyCnfCredentials {
        var section = ""
        var credentials = MyCnfCredentials()
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces).lowercased()
                continue
            }
            guard section == "client", let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            if name == "user" { credentials.user = value }
            if name == "password" { credentials.password = value }
        }
        return credentials
    }
}
