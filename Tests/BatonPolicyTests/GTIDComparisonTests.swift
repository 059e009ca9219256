import Testing

@testable import BatonPolicy

@Suite struct GTIDComparisonTests {
    static let uuid1 = "3E11FA47-71CA-11E1-9E33-C80AA9429562"
    static let uuid2 = "f00dbeef-71ca-11e1-9e33-c80aa9429562"

    @Test(arguments: [
        ("0-1-100", "0-1-100", "equal"),
        ("0-1-100,1-2-5", "0-1-90", "ahead"),
        ("0-1-90", "0-1-100,1-2-5", "behind"),
        ("0-1-100,1-2-4", "0-1-90,1-2-5", "diverged"),
        ("", "", "equal"),
        ("0-1-1", "", "ahead"),
        ("\(uuid1):1-5", "\(uuid1.lowercased()):1-5", "equal"),
        ("\(uuid1):1-10,\(uuid2):1-3", "\(uuid1):1-5", "ahead"),
        ("\(uuid1):1-5", "\(uuid1):1-5:7", "behind"),
        ("\(uuid1):1-5", "\(uuid2):1-5", "diverged"),
        ("\(uuid1):1-5", "", "ahead"),
    ])
    func compare(first: String, second: String, expected: String) throws {
        let relation = try GTIDComparison.compare(first, second).get()
        #expect(relation.rawValue == expected)
    }

    @Test func unreadableSetsAreErrors() {
        #expect(throws: GTIDComparisonError.self) { try GTIDComparison.compare("0-1", "0-1-1").get() }
        #expect(throws: GTIDComparisonError.self) { try GTIDComparison.compare("0-1-1", "\(Self.uuid1):1").get() }
    }

    @Test func helpersFromLua() throws {
        let policy = try Policy(
            source: """
                function filter(analysis)
                  assert(baton.gtid_contains("0-1-100,1-2-5", "0-1-100"))
                  assert(not baton.gtid_contains("0-1-99", "0-1-100"))
                  assert(baton.gtid_compare("\(Self.uuid1):1-10", "\(Self.uuid1):1-5") == "ahead")
                  assert(baton.gtid_compare("0-1-5", "0-1-5") == "equal")
                  return true
                end
                """)
        #expect(try policy.filter(Fixtures.analysis).value.allowed)
    }
}
