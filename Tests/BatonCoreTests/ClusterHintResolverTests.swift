import BatonCore
import Testing

@Suite struct ClusterHintResolverTests {
    typealias F = TopologyFixtures
    let instances = TopologyResolver.resolve([
        TopologyFixtures.instance(1), TopologyFixtures.instance(2, source: 1, readOnly: true),
        TopologyFixtures.instance(10),
    ])

    @Test func byNameMemberOrHost() {
        #expect(ClusterHintResolver.resolve("127.0.0.1:1", in: instances, defaultPort: 3306) == "127.0.0.1:1")
        #expect(ClusterHintResolver.resolve("127.0.0.1:2", in: instances, defaultPort: 3306) == "127.0.0.1:1")
        #expect(ClusterHintResolver.resolve("127.0.0.1:10", in: instances, defaultPort: 3306) == "127.0.0.1:10")
        // The bare host is ambiguous here: two clusters live on it.
        #expect(ClusterHintResolver.resolve("127.0.0.1", in: instances, defaultPort: 3306) == nil)
        #expect(ClusterHintResolver.resolve("nope", in: instances, defaultPort: 3306) == nil)
    }

    @Test func primaryIsTheDepthZeroMember() {
        #expect(ClusterHintResolver.primary(of: "127.0.0.1:1", in: instances)?.key == F.key(1))
    }
}
