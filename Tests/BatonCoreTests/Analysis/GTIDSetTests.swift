import BatonCore
import Testing

@Suite struct GTIDSetTests {
    private static let a = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
    private static let b = "f00df00d-0000-0000-0000-000000000002"

    @Test(arguments: [
        ("", ""),
        ("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7", "\(a):1-5:7"),
        ("\(a):5-7:1-4,\n\(b):3", "\(a):1-7,\(b):3"),
        ("\(b):1-2,\(a):1-3:2-9", "\(a):1-9,\(b):1-2"),
        ("\(a):tag_1:1-3:4", "\(a):tag_1:1-4"),
    ])
    func parsesAndNormalizes(text: String, canonical: String) throws {
        let set = try #require(MySQLGTIDSet(parsing: text))
        #expect(set.description == canonical)
    }

    @Test(arguments: ["0-1-100", "\(a)", "\(a):0-3", "\(a):5-3", "nothex:1-3", "\(a):1-3,", "\(a):1-x"])
    func rejects(text: String) {
        #expect(MySQLGTIDSet(parsing: text) == nil)
    }

    @Test(arguments: [
        ("\(a):1-10", "\(a):1-10", ""),
        ("\(a):1-10", "\(a):3-4:8", "\(a):1-2:5-7:9-10"),
        ("\(a):1-10,\(b):1-3", "\(a):1-20", "\(b):1-3"),
        ("\(a):1-10", "\(b):1-10", "\(a):1-10"),
        ("\(a):1-10", "", "\(a):1-10"),
    ])
    func subtracts(lhs: String, rhs: String, difference: String) throws {
        let left = try #require(MySQLGTIDSet(parsing: lhs))
        let right = try #require(MySQLGTIDSet(parsing: rhs))
        #expect(left.subtracting(right).description == difference)
    }

    @Test func errantIgnoresAncestorsAndCoPrimaryWrites() {
        let replica = "\(Self.a):1-50,\(Self.b):1-3"
        #expect(
            ErrantGTID.mysql(
                replicaExecuted: replica, replicaUUID: Self.b, isCoPrimary: false, sourceExecuted: "\(Self.a):1-40",
                ancestorUUIDs: [Self.a]) == "\(Self.b):1-3")
        #expect(
            ErrantGTID.mysql(
                replicaExecuted: replica, replicaUUID: Self.b, isCoPrimary: true, sourceExecuted: "\(Self.a):1-40",
                ancestorUUIDs: [Self.a]) == "")
        #expect(
            ErrantGTID.mysql(
                replicaExecuted: replica, replicaUUID: Self.b, isCoPrimary: false, sourceExecuted: "",
                ancestorUUIDs: [Self.a]) == "")
    }

    @Test(arguments: [
        ("0-2-101", "0-1-100", "0-2-101"),
        ("0-2-101", "0-1-105", ""),
        ("0-1-100,1-2-3", "0-1-100", "1-2-3"),
        ("0-1-100", "0-1-90", ""),
        ("not a position", "0-1-1", ""),
    ])
    func mariaDBErrant(replica: String, source: String, errant: String) {
        #expect(
            ErrantGTID.mariaDB(replicaPosition: replica, replicaServerID: 2, isCoPrimary: false, sourcePosition: source)
                == errant)
    }
}
