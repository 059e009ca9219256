import BatonClient
import BatonCore
import Foundation
import Testing

@Suite struct BatonAPIClientTests {
    static let clusters = APITransportResponse(status: 200, body: #"["db1:3306"]"#)
    static let leader = APITransportResponse(status: 200, body: #""OK""#)
    static let follower = APITransportResponse(status: 404, body: #""Not leader""#)

    @Test func withOneURLItAsksThatServerDirectly() async throws {
        let transport = FakeTransport(["http://a:3000/api/clusters": .answer(Self.clusters)])
        let client = BatonAPIClient(
            configuration: try BatonAPIConfiguration(apiOption: "http://a:3000", environment: [:]),
            transport: transport)
        #expect(try await client.clusters() == ["db1:3306"])
        #expect(transport.requests.map(\.url) == ["http://a:3000/api/clusters"])
    }

    @Test func withSeveralURLsItUsesTheLeaderAndRemembersIt() async throws {
        let transport = FakeTransport([
            "http://a:3000/api/leader-check": .answer(Self.follower),
            "http://b:3000/api/leader-check": .answer(Self.leader),
            "http://c:3000/api/leader-check": .answer(Self.leader),
            "http://b:3000/api/clusters": .answer(Self.clusters),
        ])
        let client = BatonAPIClient(
            configuration: try BatonAPIConfiguration(
                apiOption: "http://a:3000 http://b:3000 http://c:3000", environment: [:]),
            transport: transport)
        #expect(try await client.clusters() == ["db1:3306"])
        #expect(try await client.clusters() == ["db1:3306"])
        let urls = transport.requests.map(\.url)
        #expect(urls.filter { $0.hasSuffix("/leader-check") }.count == 3)
        #expect(urls.filter { $0.hasSuffix("/clusters") } == Array(repeating: "http://b:3000/api/clusters", count: 2))
        #expect(transport.requests.filter { $0.url.hasSuffix("/leader-check") }.allSatisfy { $0.timeout == .seconds(1) })
    }

    @Test func withNoLeaderItFailsNamingTheURLs() async throws {
        let transport = FakeTransport([
            "http://a:3000/api/leader-check": .answer(Self.follower),
        ])
        let client = BatonAPIClient(
            configuration: try BatonAPIConfiguration(apiOption: "http://a:3000 http://b:3000", environment: [:]),
            transport: transport)
        await #expect {
            try await client.clusters()
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .noLeader && error.message.contains("http://a:3000/api (not the leader)")
                && error.message.contains("http://b:3000/api (connection refused)")
        }
    }

    @Test func sendsBasicAuthFromTheEnvironmentOrTheURL() async throws {
        let transport = FakeTransport([
            "http://a:3000/api/clusters": .answer(Self.clusters),
            "http://b:3000/api/clusters": .answer(Self.clusters),
        ])
        let environment = ["BATON_AUTH_USER": "ops", "BATON_AUTH_PASSWORD": "pw"]
        let fromEnvironment = BatonAPIClient(
            configuration: try BatonAPIConfiguration(apiOption: "http://a:3000", environment: environment),
            transport: transport)
        let fromURL = BatonAPIClient(
            configuration: try BatonAPIConfiguration(apiOption: "http://me:x@b:3000", environment: environment),
            transport: transport)
        _ = try await fromEnvironment.clusters()
        _ = try await fromURL.clusters()
        #expect(transport.requests.map(\.authorization) == [
            BasicAuthCredentials(user: "ops", password: "pw").headerValue,
            BasicAuthCredentials(user: "me", password: "x").headerValue,
        ])
        #expect(transport.requests.allSatisfy { !$0.url.contains("me:x") })
    }

    @Test func readsEachRoute() async throws {
        let key = InstanceKey(hostname: "db1", port: 3306)
        let instance = InstanceDocument(Instance(key: key), now: Date(), pollSeconds: 5)
        let instanceJSON = try JSONEncoder().encode(instance)
        func envelope(_ details: String) -> APITransportResponse {
            APITransportResponse(status: 200, body: #"{"Code":"OK","Message":"","Details":"# + details + "}")
        }
        let transport = FakeTransport([
            "http://a:3000/api/discover/db1/3306": .answer(envelope(String(decoding: instanceJSON, as: UTF8.self))),
            "http://a:3000/api/forget/db1/3306": .answer(envelope(#"{"Hostname":"db1","Port":3306}"#)),
            "http://a:3000/api/instance/db1/3306": .answer(APITransportResponse(status: 200, body: Array(instanceJSON))),
            "http://a:3000/api/master/main": .answer(APITransportResponse(status: 200, body: Array(instanceJSON))),
            "http://a:3000/api/topology/db1/3306": .answer(envelope(#""db1:3306\n""#)),
        ])
        let client = BatonAPIClient(
            configuration: try BatonAPIConfiguration(apiOption: "http://a:3000", environment: [:]),
            transport: transport)
        #expect(try await client.discover(key).key == key)
        #expect(try await client.forget(key) == key)
        #expect(try await client.instance(key) == instance)
        #expect(try await client.master(.name("main")).key == key)
        #expect(try await client.topology(.instance(key)) == "db1:3306\n")
    }
}
