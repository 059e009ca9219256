import BatonClient
import Testing

@Suite struct APIBaseURLTests {
    @Test(arguments: [
        ("http://db-admin:3000", "http://db-admin:3000/api"),
        ("http://db-admin:3000/", "http://db-admin:3000/api"),
        ("http://db-admin:3000/api", "http://db-admin:3000/api"),
        ("http://db-admin:3000/api/", "http://db-admin:3000/api"),
        ("https://proxy.example/baton", "https://proxy.example/baton/api"),
        ("  http://127.0.0.1:3000  ", "http://127.0.0.1:3000/api"),
        ("http://[::1]:3000", "http://[::1]:3000/api"),
    ])
    func normalizesLikeOrchestratorClient(input: String, expected: String) throws {
        #expect(try APIBaseURL(parsing: input).url == expected)
    }

    @Test(arguments: ["db-admin:3000", "ftp://db-admin/", "http://", "", "http://db-admin:3000/api?x=1"])
    func rejectsWhatIsNotAnHTTPURL(input: String) {
        #expect {
            try APIBaseURL(parsing: input)
        } throws: { error in
            (error as? BatonAPIError)?.code == .invalidConfiguration
        }
    }

    @Test func takesCredentialsOutOfTheURL() throws {
        let base = try APIBaseURL(parsing: "http://ops:s3cret@db-admin:3000")
        #expect(base.url == "http://db-admin:3000/api")
        #expect(base.credentials == BasicAuthCredentials(user: "ops", password: "s3cret"))
        #expect(!base.description.contains("s3cret"))
    }

    @Test func errorAboutABadURLDoesNotRepeatItsPassword() {
        #expect {
            try APIBaseURL(parsing: "ftp://ops:s3cret@db-admin/")
        } throws: { error in
            let message = (error as? BatonAPIError)?.message ?? ""
            return !message.contains("s3cret") && message.contains("db-admin")
        }
    }

    @Test func splitsASpaceSeparatedList() throws {
        let urls = try APIBaseURL.parseList(" http://a:3000  http://b:3000/api\thttp://c:3000/ ")
        #expect(urls.map(\.url) == ["http://a:3000/api", "http://b:3000/api", "http://c:3000/api"])
    }

    @Test(arguments: ["", "   "])
    func anEmptyListIsAConfigurationError(list: String) {
        #expect {
            try APIBaseURL.parseList(list)
        } throws: { error in
            (error as? BatonAPIError)?.code == .invalidConfiguration
        }
    }

    @Test func joinsAPathToTheBase() throws {
        let base = try APIBaseURL(parsing: "http://db-admin:3000")
        #expect(base.url(for: .clusters) == "http://db-admin:3000/api/clusters")
    }
}
