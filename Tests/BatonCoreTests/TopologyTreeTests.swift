import BatonCore
import Foundation
import Testing

@Suite struct TopologyTreeTests {
    typealias F = TopologyFixtures

    @Test func rendersIndentedTree() {
        var broken = F.instance(3, source: 1, readOnly: true)
        broken.facts.replication?.sqlThread = .stopped
        broken.facts.replication?.secondsBehindSource = nil
        let instances = TopologyResolver.resolve([
            F.instance(1), F.instance(2, source: 1, readOnly: true), broken, F.instance(4, source: 1, readOnly: true),
            F.instance(5, source: 4, readOnly: true),
        ])
        let tree = TopologyTree.render(instances, pollSeconds: 5)
        #expect(
            tree == """
                127.0.0.1:1     [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>]
                + 127.0.0.1:2   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
                + 127.0.0.1:3   [null,nonreplicating,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
                + 127.0.0.1:4   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
                  + 127.0.0.1:5 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]

                """)
    }

    @Test func invalidLastCheckShowsUnknown() {
        var dead = F.instance(2, source: 1)
        dead.lastChecked = dead.lastSeen?.addingTimeInterval(3)
        let tree = TopologyTree.render(TopologyResolver.resolve([F.instance(1), dead]), pollSeconds: 5)
        #expect(tree.contains("+ 127.0.0.1:2 [0s,unknown,"))
    }
}
