/// Where the API is and how to talk to it: the base URLs, credentials and timeouts.
public struct BatonAPIConfiguration: Sendable, Hashable {
    /// The candidate servers, in order of preference. Never empty.
    public var baseURLs: [APIBaseURL]
    /// Basic-auth credentials sent to every URL that carries none of its own.
    public var credentials: BasicAuthCredentials?
    /// How long each server has to answer `leader-check` when there are several.
    public var leaderCheckTimeout: Duration
    /// How long a request may take in all.
    public var requestTimeout: Duration

    public init(
        baseURLs: [APIBaseURL], credentials: BasicAuthCredentials? = nil,
        leaderCheckTimeout: Duration = .seconds(1), requestTimeout: Duration = .seconds(30)
    ) throws {
        guard !baseURLs.isEmpty else {
            throw BatonAPIError(
                code: .invalidConfiguration,
                message: "no API URL given: pass --api http://host:3000 or set BATON_API")
        }
        self.baseURLs = baseURLs
        self.credentials = credentials
        self.leaderCheckTimeout = leaderCheckTimeout
        self.requestTimeout = requestTimeout
    }

    /// The configuration of the command-line client: the URLs of `--api` when given, else of `BATON_API`
    /// (a space-separated list), and credentials from `BATON_AUTH_USER` and `BATON_AUTH_PASSWORD`.
    /// - Throws: ``BatonAPIError`` `invalidConfiguration` when neither names a URL or an entry is not a URL.
    public init(apiOption: String?, environment: [String: String]) throws {
        let list = apiOption ?? environment["BATON_API"] ?? ""
        try self.init(
            baseURLs: APIBaseURL.parseList(list), credentials: BasicAuthCredentials(environment: environment))
    }

    /// The headers for a request to `baseURL`: its own credentials, else the configuration's.
    func headers(for baseURL: APIBaseURL) -> [(name: String, value: String)] {
        guard let credentials = baseURL.credentials ?? credentials else { return [] }
        return [(name: "Authorization", value: credentials.headerValue)]
    }
}
