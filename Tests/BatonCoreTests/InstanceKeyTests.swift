import BatonCore
import Foundation
import Testing

@Suite struct InstanceKeyTests {
    @Test(arguments: [
        ("db1", "db1", 3306),
        ("db1:3307", "db1", 3307),
        (" 10.0.0.5:3310 ", "10.0.0.5", 3310),
        ("[::1]:3307", "::1", 3307),
        ("::1", "::1", 3306),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let key = try #require(InstanceKey(parsing: text, defaultPort: 3306))
        #expect(key == InstanceKey(hostname: host, port: port))
    }

    @Test(arguments: ["", ":3306", "db1:0", "db1:65536", "db1:abc", "[::1", "[::1]x"])
    func rejects(text: String) {
        #expect(InstanceKey(parsing: text, defaultPort: 3306) == nil)
    }

    @Test func encodesWithOrchestratorFieldNames() throws {
        let json = try JSONEncoder().encode(InstanceKey(hostname: "db1", port: 3306))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["Hostname"] as? String == "db1")
        #expect(object["Port"] as? Int == 3306)
    }
}

@Suite struct DowntimeDurationTests {
    @Test(arguments: [
        (nil as String?, 600.0), ("0", 600), ("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1h30m", 5400),
    ])
    func parses(text: String?, seconds: Double) {
        #expect(DowntimeDuration.parse(text) == seconds)
    }

    @Test(arguments: ["tomorrow", "10", "m", "-5m", "10x", "1h30"])
    func rejects(text: String) {
        #expect(DowntimeDuration.parse(text) == nil)
    }

    /// A duration from an API path has unbounded digits: it must not become an end date centuries away or infinite.
    @Test(arguments: [
        "36501d", "99999999999999999999d", String(repeating: "9", count: 400) + "s", "36500d1s",
    ])
    func rejectsAbsurdlyLongDowntimes(text: String) {
        #expect(DowntimeDuration.parse(text) == nil)
    }

    @Test func acceptsTheLongestDowntime() {
        #expect(DowntimeDuration.parse("36500d") == DowntimeDuration.maximumSeconds)
    }
}
