import BatonClient
import BatonCore
import Testing

@Suite struct APIPathTests {
    @Test func buildsTheRoutesOfTheAPI() {
        let key = InstanceKey(hostname: "db1.example", port: 3307)
        #expect(APIPath.discover(key).encoded == "/discover/db1.example/3307")
        #expect(APIPath.forget(key).encoded == "/forget/db1.example/3307")
        #expect(APIPath.instance(key).encoded == "/instance/db1.example/3307")
        #expect(APIPath.topology(.instance(key)).encoded == "/topology/db1.example/3307")
        #expect(APIPath.topology(.name("main")).encoded == "/topology/main")
        #expect(APIPath.master(.name("db1.example:3306")).encoded == "/master/db1.example%3A3306")
        #expect(APIPath.clustersInfo.encoded == "/clusters-info")
        #expect(APIPath.leaderCheck.encoded == "/leader-check")
    }

    @Test(arguments: [
        ("a/b", "a%2Fb"),
        ("a b", "a%20b"),
        ("x?y#z", "x%3Fy%23z"),
        ("%2F", "%252F"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("fe80::1", "fe80%3A%3A1"),
        ("dé", "d%C3%A9"),
        ("db-1_a.b~c", "db-1_a.b~c"),
    ])
    func encodesEachSegment(segment: String, expected: String) {
        #expect(APIPath.encode(segment: segment) == expected)
    }

    @Test func aHostNameCannotAddSegmentsToThePath() {
        let key = InstanceKey(hostname: "../../forget/victim", port: 3306)
        let path = APIPath.instance(key).encoded
        #expect(path == "/instance/..%2F..%2Fforget%2Fvictim/3306")
        #expect(path.split(separator: "/").count == 3)
    }
}
