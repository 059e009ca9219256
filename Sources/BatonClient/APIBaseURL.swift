import Foundation

/// One Baton API base URL, normalized as `orchestrator-client` does: it always ends in `/api`.
///
/// User info in the URL (`http://user:secret@host:3000`) is taken out of ``url`` and kept as ``credentials``,
/// so the URL can be printed in messages without leaking a password.
public struct APIBaseURL: Hashable, Sendable, CustomStringConvertible {
    /// The normalized URL without user info, e.g. `http://db-admin:3000/api`. Safe to print.
    public var url: String
    /// Basic-auth credentials given as user info in the URL, if any.
    public var credentials: BasicAuthCredentials?

    /// Parses and normalizes one URL: `http://host:3000`, `http://host:3000/`, `http://host:3000/api` all become
    /// `http://host:3000/api`; a URL with a path prefix (`https://proxy/baton`) becomes `https://proxy/baton/api`.
    /// - Throws: ``BatonAPIError`` `invalidConfiguration` when the text is not an `http` or `https` URL with a host.
    public init(parsing text: String) throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw BatonAPIError(
                code: .invalidConfiguration,
                message: "'\(Self.redact(text))' is not an API URL: expected http://host:port or https://host:port")
        }
        guard components.query == nil, components.fragment == nil else {
            throw BatonAPIError(
                code: .invalidConfiguration,
                message: "'\(Self.redact(text))' is not an API URL: it must not have a query or a fragment")
        }
        if let user = components.user {
            credentials = BasicAuthCredentials(user: user, password: components.password ?? "")
        }
        components.user = nil
        components.password = nil
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/api") { path += "/api" }
        components.percentEncodedPath = path
        url = components.string ?? text
    }

    /// Splits a space-separated list (the form of `BATON_API` and `--api`) and parses each entry.
    /// - Throws: ``BatonAPIError`` `invalidConfiguration` when the list is empty or an entry is not a URL.
    public static func parseList(_ text: String) throws -> [APIBaseURL] {
        let entries = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard !entries.isEmpty else {
            throw BatonAPIError(
                code: .invalidConfiguration,
                message: "no API URL given: pass --api http://host:3000 or set BATON_API")
        }
        return try entries.map { try APIBaseURL(parsing: String($0)) }
    }

    /// The full URL of `path` under this base, e.g. `http://db-admin:3000/api/clusters`.
    public func url(for path: APIPath) -> String {
        url + path.encoded
    }

    public var description: String { url }

    /// Removes user info from URL-looking text, for messages about text that did not parse.
    static func redact(_ text: String) -> String {
        let authorityStart = text.range(of: "://")?.upperBound ?? text.startIndex
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        guard let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<authorityStart]) + String(text[text.index(after: at)...])
    }
}
