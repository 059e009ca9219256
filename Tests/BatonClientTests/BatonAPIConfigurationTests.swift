import BatonClient
import Testing

@Suite struct BatonAPIConfigurationTests {
    @Test func readsTheURLsAndCredentialsFromTheEnvironment() throws {
        let configuration = try BatonAPIConfiguration(
            apiOption: nil,
            environment: [
                "BATON_API": "http://a:3000 http://b:3000", "BATON_AUTH_USER": "ops", "BATON_AUTH_PASSWORD": "pw",
            ])
        #expect(configuration.baseURLs.map(\.url) == ["http://a:3000/api", "http://b:3000/api"])
        #expect(configuration.credentials == BasicAuthCredentials(user: "ops", password: "pw"))
        #expect(configuration.leaderCheckTimeout == .seconds(1))
    }

    @Test func theOptionWinsOverTheEnvironment() throws {
        let configuration = try BatonAPIConfiguration(
            apiOption: "http://option:3000", environment: ["BATON_API": "http://env:3000"])
        #expect(configuration.baseURLs.map(\.url) == ["http://option:3000/api"])
        #expect(configuration.credentials == nil)
    }

    @Test func noURLAnywhereIsAConfigurationErrorThatSaysWhatToDo() {
        #expect {
            try BatonAPIConfiguration(apiOption: nil, environment: [:])
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .invalidConfiguration && error.message.contains("BATON_API")
        }
    }

    @Test func credentialsNeverShowInTheirDescription() {
        let credentials = BasicAuthCredentials(user: "ops", password: "s3cret")
        #expect(!credentials.description.contains("s3cret"))
        #expect(credentials.headerValue == "Basic b3BzOnMzY3JldA==")
    }
}
