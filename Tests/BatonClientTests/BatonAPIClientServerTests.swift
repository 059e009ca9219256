import BatonClient
import BatonCore
import Foundation
import Testing

/// The client against real HTTP servers (python3 subprocesses on 127.0.0.1).
@Suite(.enabled(if: PythonAPIServer.python3 != nil, "needs python3"), .timeLimit(.minutes(1)))
struct BatonAPIClientServerTests {
    typealias Route = PythonAPIServer.Route

    static let clustersInfo = #"[{"ClusterName":"db1:3306","ClusterAlias":"main","ClusterDomain":"","#
        + #""CountInstances":2,"HeuristicLag":0,"HasAutomatedMasterRecovery":true,"#
        + #""HasAutomatedIntermediateMasterRecovery":false}]"#
    static let unknownInstance = #"{"Code":"ERROR","Message":"Cannot read instance: nosuch:3306","Details":null}"#

    @Test func choosesTheLeaderAmongSeveralURLsAndReadsItsAnswers() async throws {
        let key = InstanceKey(hostname: "db/x", port: 3306)
        let instance = String(
            decoding: try JSONEncoder().encode(InstanceDocument(Instance(key: key), now: Date(), pollSeconds: 5)),
            as: UTF8.self)
        let follower: [String: Route] = [
            "/api/leader-check": Route(status: 404, body: #""Not leader""#),
            "/api/clusters-info": Route(status: 200, body: "[]"),
        ]
        let leader: [String: Route] = [
            "/api/leader-check": Route(status: 200, body: #""OK""#),
            "/api/clusters-info": Route(status: 200, body: Self.clustersInfo),
            "/api/instance/nosuch/3306": Route(status: 500, body: Self.unknownInstance),
            "/api/instance/db%2Fx/3306": Route(status: 200, body: instance),
        ]
        try await PythonAPIServer.withServers([follower, leader]) { servers in
            // A refused URL first, then the follower, then the leader.
            let list = "http://127.0.0.1:1 \(servers[0].baseURL) \(servers[1].baseURL)/api/"
            let configuration = try BatonAPIConfiguration(apiOption: list, environment: [:])
            try await BatonAPIClient.withClient(configuration: configuration) { client async throws in
                #expect(try await client.baseURL().url == "\(servers[1].baseURL)/api")
                #expect(try await client.clustersInfo().map(\.clusterName) == ["db1:3306"])
                #expect(try await client.instance(key).key == key)
                await #expect {
                    try await client.instance(InstanceKey(hostname: "nosuch", port: 3306))
                } throws: { error in
                    guard let error = error as? BatonAPIError else { return false }
                    return error.code == .serverError && error.message == "Cannot read instance: nosuch:3306"
                        && error.httpStatus == 500
                }
            }
        }
    }

    @Test func aLeaderCheckThatTakesTooLongCountsAsNoAnswer() async throws {
        let slow: [String: Route] = ["/api/leader-check": Route(status: 200, body: #""OK""#, delay: 3)]
        let follower: [String: Route] = ["/api/leader-check": Route(status: 404, body: #""Not leader""#)]
        try await PythonAPIServer.withServers([slow, follower]) { servers in
            let configuration = try BatonAPIConfiguration(
                apiOption: "\(servers[0].baseURL) \(servers[1].baseURL)", environment: [:])
            try await BatonAPIClient.withClient(configuration: configuration) { client in
                await #expect {
                    try await client.clusters()
                } throws: { error in
                    guard let error = error as? BatonAPIError else { return false }
                    return error.code == .noLeader
                        && error.message.contains("\(servers[0].baseURL)/api (timed out)")
                        && error.message.contains("\(servers[1].baseURL)/api (not the leader)")
                }
            }
        }
    }

    @Test func aBodyThatIsNotJSONIsReportedWithItsURL() async throws {
        let routes: [String: Route] = ["/api/clusters": Route(status: 200, body: "<html>proxy error</html>")]
        try await PythonAPIServer.withServers([routes]) { servers in
            let configuration = try BatonAPIConfiguration(apiOption: servers[0].baseURL, environment: [:])
            try await BatonAPIClient.withClient(configuration: configuration) { client in
                await #expect {
                    try await client.clusters()
                } throws: { error in
                    guard let error = error as? BatonAPIError else { return false }
                    return error.code == .invalidResponse
                        && error.message == "the API at \(servers[0].baseURL)/api/clusters answered with a body "
                            + "that is not JSON"
                }
            }
        }
    }

    @Test func aRefusedConnectionFailsAtOnceAndSaysSo() async throws {
        let configuration = try BatonAPIConfiguration(apiOption: "http://ops:s3cret@127.0.0.1:1", environment: [:])
        try await BatonAPIClient.withClient(configuration: configuration) { client in
            await #expect {
                try await client.clusters()
            } throws: { error in
                guard let error = error as? BatonAPIError else { return false }
                return error.code == .unreachable
                    && error.message == "cannot reach the API at http://127.0.0.1:1/api/clusters: connection refused"
            }
        }
    }
}
