import BatonCore
import Testing

@Suite struct TopologyResolverTests {
    typealias F = TopologyFixtures

    @Test func primaryReplicasAndIntermediatePrimary() {
        let resolved = TopologyResolver.resolve([
            F.instance(5, source: 4), F.instance(1), F.instance(2, source: 1), F.instance(3, source: 1),
            F.instance(4, source: 1),
        ])
        let byPort = Dictionary(uniqueKeysWithValues: resolved.map { ($0.key.port, $0) })
        for port in 1...5 { #expect(byPort[port]?.clusterName == "127.0.0.1:1") }
        #expect(byPort[1]?.replicationDepth == 0)
        #expect(byPort[2]?.replicationDepth == 1)
        #expect(byPort[4]?.replicationDepth == 1)
        #expect(byPort[5]?.replicationDepth == 2)
    }

    @Test func unknownSourceNamesTheCluster() {
        let resolved = TopologyResolver.resolve([F.instance(5, source: 4), F.instance(6, source: 5)])
        #expect(resolved.allSatisfy { $0.clusterName == "127.0.0.1:4" })
        #expect(resolved.first { $0.key.port == 6 }?.replicationDepth == 2)
    }

    @Test func coPrimariesAreOneClusterNamedAfterTheSmallestKey() {
        let resolved = TopologyResolver.resolve([
            F.instance(2, source: 1), F.instance(1, source: 2), F.instance(3, source: 2),
        ])
        let byPort = Dictionary(uniqueKeysWithValues: resolved.map { ($0.key.port, $0) })
        #expect(resolved.allSatisfy { $0.clusterName == "127.0.0.1:1" })
        #expect(byPort[1]?.isCoPrimary == true && byPort[2]?.isCoPrimary == true)
        #expect(byPort[1]?.replicationDepth == 0 && byPort[2]?.replicationDepth == 0)
        #expect(byPort[3]?.replicationDepth == 1)
    }

    @Test func separateClusters() {
        let resolved = TopologyResolver.resolve([F.instance(1), F.instance(2, source: 1), F.instance(10)])
        #expect(Set(resolved.map(\.clusterName)) == ["127.0.0.1:1", "127.0.0.1:10"])
    }

    @Test func orderOfInputDoesNotMatter() {
        let instances = [
            F.instance(1), F.instance(2, source: 1), F.instance(4, source: 1), F.instance(5, source: 4),
            F.instance(6, source: 5),
        ]
        let forward = TopologyResolver.resolve(instances).sorted { $0.key < $1.key }
        let backward = TopologyResolver.resolve(instances.reversed()).sorted { $0.key < $1.key }
        #expect(forward == backward)
    }
}
