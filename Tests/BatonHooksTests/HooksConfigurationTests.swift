import Foundation
import Testing

@testable import BatonHooks

@Suite struct HooksConfigurationTests {
    @Test func decodesBothFormsAndGlobalKeys() throws {
        let json = #"""
            {
              "MySQLTopologyUser": "ignored",
              "ProcessesShellCommand": "sh",
              "HookTimeoutSeconds": 12.5,
              "PreFailoverProcesses": ["echo pre {failedHost}"],
              "PostFailoverProcesses": [
                "notify {successorHost} &",
                {"Command": ["/usr/local/bin/dns-switch", "{successorHost}"], "TimeoutSeconds": 30,
                 "Environment": {"ZONE": "example.com"}, "Async": true, "Name": "dns"}
              ]
            }
            """#
        let loaded = HooksConfiguration.load(from: Data(json.utf8))
        #expect(loaded.issues.isEmpty, "\(loaded.issues)")
        let configuration = loaded.configuration
        #expect(configuration.shellCommand == "sh")
        #expect(configuration.defaultTimeout == .milliseconds(12_500))
        #expect(configuration[.preFailover] == [HookSpec(.shell("echo pre {failedHost}"))])
        #expect(configuration[.postFailover] == [
            HookSpec(.shell("notify {successorHost}"), isAsync: true),
            HookSpec(.arguments(["/usr/local/bin/dns-switch", "{successorHost}"]), name: "dns",
                timeout: .seconds(30), environment: ["ZONE": "example.com"], isAsync: true),
        ])
        #expect(configuration[.postGracefulTakeover].isEmpty)
        #expect(HooksConfiguration.load(from: Data("{}".utf8)).configuration == HooksConfiguration())
    }

    @Test func errorsNameTheKey() throws {
        let json = #"""
            {
              "HookTimeoutSeconds": "soon",
              "PreFailoverProcesses": ["true", {"Command": ["x"], "TimeoutSeconds": -1}, {"Command": [1]}, 7],
              "PostFailoverProcesses": {"Command": ["x"]},
              "OnFailureDetectionProcesses": ["echo `hostname {failedHost}`", {"Command": ["x"], "Asynch": true}]
            }
            """#
        let loaded = HooksConfiguration.load(from: Data(json.utf8))
        let errors = loaded.errors.map(\.description)
        #expect(errors.contains { $0.hasPrefix("HookTimeoutSeconds: expected a positive number") })
        #expect(errors.contains { $0.hasPrefix("PreFailoverProcesses[1].TimeoutSeconds: expected a positive number") })
        #expect(errors.contains { $0.hasPrefix("PreFailoverProcesses[2].Command[0]: expected a string") })
        #expect(errors.contains { $0.hasPrefix("PreFailoverProcesses[3]: expected a command string or an object") })
        #expect(errors.contains { $0.hasPrefix("PostFailoverProcesses: expected an array") })
        #expect(errors.contains { $0.hasPrefix("OnFailureDetectionProcesses[0]: cannot quote safely") })
        #expect(loaded.warnings.map(\.description).contains { $0.hasPrefix("OnFailureDetectionProcesses[1].Asynch:") })
        // Only the valid hooks are kept; a bad global key keeps its default.
        #expect(loaded.configuration[.preFailover] == [HookSpec(.shell("true"))])
        #expect(loaded.configuration[.onFailureDetection] == [HookSpec(.arguments(["x"]))])
        #expect(loaded.configuration.defaultTimeout == .seconds(60))
    }

    @Test func notJSONIsOneError() {
        let loaded = HooksConfiguration.load(from: Data("[1".utf8))
        #expect(loaded.errors.count == 1)
    }

    @Test func validateWarnsAboutPlaceholders() {
        let spec = HookSpec.orchestrator("notify {failedHost} {successorHost} {failedHots} &")
        let warnings = spec.validate(for: .preFailover).map(\.message)
        #expect(warnings.contains("unknown placeholder {failedHots} is passed on literally"))
        #expect(warnings.contains { $0.hasPrefix("{successorHost} has no value in PreFailoverProcesses") })
        #expect(warnings.contains { $0.hasPrefix("asynchronous hooks are not supported in PreFailoverProcesses") })
        #expect(spec.validate(for: .postFailover).map(\.message) == ["unknown placeholder {failedHots} is passed on literally"])
    }

    @Test func hookSpecDecodesWithJSONDecoder() throws {
        let specs = try JSONDecoder().decode([HookSpec].self, from: Data(#"["a {failedHost}", {"Command": "b"}]"#.utf8))
        #expect(specs == [HookSpec(.shell("a {failedHost}")), HookSpec(.shell("b"))])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(HookSpec.self, from: Data(#"{"Command": 3}"#.utf8)) }
    }
}
