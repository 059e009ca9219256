import BatonCore
import BatonEngine
import BatonHooks
import BatonPolicy
import Foundation
import Testing

@Suite struct BatonConfigurationTests {
    func parse(_ json: String, environment: [String: String] = [:]) throws(ConfigurationError) -> BatonConfiguration {
        try BatonConfiguration.parse(Data(json.utf8), environment: environment)
    }

    @Test func orchestratorDefaults() throws {
        let configuration = try parse("{}")
        #expect(configuration.http.listenAddress == ListenAddress(host: "0.0.0.0", port: 3000))
        #expect(configuration.discovery.instancePollSeconds == 5)
        #expect(configuration.discovery.defaultInstancePort == 3306)
        #expect(configuration.discovery.discoverByShowSlaveHosts == false)
        #expect(configuration.discovery.mysqlHostnameResolveMethod == "@@hostname")
        #expect(configuration.topology.connectTimeoutSeconds == 2)
        #expect(configuration.topology.readTimeoutSeconds == 600)
        #expect(configuration.topology.tlsMode == .disabled)
        #expect(configuration.http.idleTimeoutSeconds == 60)
        #expect(configuration.warnings.isEmpty)
    }

    @Test func readsOrchestratorKeys() throws {
        let configuration = try parse(
            """
            {"ListenAddress": "127.0.0.1:3100", "MySQLTopologyUser": "baton", "MySQLTopologyPassword": "secret",
             "InstancePollSeconds": 1, "DefaultInstancePort": 3307, "SQLite3DataFile": "/tmp/x.db",
             "BackendDB": "sqlite3", "DiscoverByShowSlaveHosts": true, "MySQLConnectTimeoutSeconds": 1,
             "MySQLTopologyReadTimeoutSeconds": 3, "HostnameResolveMethod": "none",
             "MySQLHostnameResolveMethod": "@@report_host"}
            """)
        #expect(configuration.http.listenAddress == ListenAddress(host: "127.0.0.1", port: 3100))
        #expect(configuration.topology.user == "baton")
        #expect(configuration.topology.password.value == "secret")
        #expect(configuration.discovery.instancePollSeconds == 1)
        #expect(configuration.discovery.defaultInstancePort == 3307)
        #expect(configuration.store.sqliteDataFile == "/tmp/x.db")
        #expect(configuration.discovery.discoverByShowSlaveHosts)
        #expect(configuration.topology.readTimeoutSeconds == 3)
        // HostnameResolveMethod "none" turns MySQL hostname resolution off, as in orchestrator.
        #expect(configuration.discovery.mysqlHostnameResolveMethod == "none")
    }

    @Test func unknownKeysAreWarnings() throws {
        let configuration = try parse(#"{"RaftEnabled": false, "SomethingElse": 1, "PseudoGTIDPattern": "x"}"#)
        #expect(configuration.warnings.count == 2)
        #expect(configuration.warnings.contains { $0.contains("SomethingElse") })
    }

    @Test(arguments: [
        (#"{"InstancePollSeconds": "5"}"#, "InstancePollSeconds"),
        (#"{"InstancePollSeconds": 0}"#, "InstancePollSeconds"),
        (#"{"InstancePollSeconds": 1.5}"#, "InstancePollSeconds"),
        (#"{"DiscoverByShowSlaveHosts": 1}"#, "DiscoverByShowSlaveHosts"),
        (#"{"ListenAddress": "nonsense"}"#, "ListenAddress"),
        (#"{"BackendDB": "mysql"}"#, "BackendDB"),
        (#"{"DefaultInstancePort": 70000}"#, "DefaultInstancePort"),
        (#"{"MySQLHostnameResolveMethod": "@@nope"}"#, "MySQLHostnameResolveMethod"),
        (#"{"DataCenterPattern": "("}"#, "DataCenterPattern"),
        (#"{"DataCenterPattern": "no-group"}"#, "DataCenterPattern"),
        (#"{"MySQLTopologyPassword": "${BATON_NOT_SET}"}"#, "MySQLTopologyPassword"),
        (#"{"MySQLTopologyCredentialsConfigFile": "/nonexistent/creds.cnf"}"#, "MySQLTopologyCredentialsConfigFile"),
        (#"{"DiscoverySeeds": "db1"}"#, "DiscoverySeeds"),
        (#"{"AuthenticationMethod": "basic"}"#, "AuthenticationMethod"),
        (#"{"AuthenticationMethod": "oauth", "HTTPAuthUser": "a", "HTTPAuthPassword": "b"}"#, "AuthenticationMethod"),
        (#"{"ReadOnly": "yes"}"#, "ReadOnly"),
        (#"{"CandidateInstanceExpireMinutes": 0}"#, "CandidateInstanceExpireMinutes"),
        (#"{"HTTPIdleTimeoutSeconds": 0}"#, "HTTPIdleTimeoutSeconds"),
    ])
    func wrongValuesNameTheKey(json: String, key: String) {
        #expect {
            try parse(json)
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func malformedFileIsAClearError() {
        for text in ["{", "[]", "not json", ""] {
            #expect {
                try parse(text)
            } throws: { error in
                guard let error = error as? ConfigurationError else { return false }
                return error.key == nil && error.description.hasPrefix("configuration:")
            }
        }
    }

    /// The decoder kept the first of two values of a key without a word, where orchestrator uses the last.
    @Test(arguments: [
        (#"{"InstancePollSeconds": 5, "Debug": false, "InstancePollSeconds": 7}"#, "InstancePollSeconds"),
        (#"{"ListenAddress": "127.0.0.1:3000", "ListenAddress": 5}"#, "ListenAddress"),
        (#"{"Debug": true, "\u0044ebug": false}"#, "Debug"),
        (#"{"A": "x\"}{:", "B": [{"A": 1}], "B": 2}"#, "B"),
    ])
    func aKeySetTwiceIsAnErrorNamingIt(json: String, key: String) {
        #expect {
            try parse(json)
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test func theSameKeyInDifferentHookObjectsIsFine() throws {
        let configuration = try parse(
            #"{"PreFailoverProcesses": [{"Command": "echo a"}, {"Command": "echo b"}], "Note": "\"Command\": 1"}"#)
        #expect(configuration.recovery.hooks[.preFailover].count == 2)
    }

    @Test(arguments: [
        ("{\n  \"InstancePollSeconds\": 5,\n  \"Debug\": tru\n}", "(line 3, column "),
        ("{\n  \"InstancePollSeconds\": 5\n  \"Debug\": true\n}", "(line 3, column 3)"),
        ("ListenAddress: 127.0.0.1:3000", "(line 1, column 1)"),
    ])
    func notJSONSaysWhere(text: String, place: String) {
        #expect {
            try parse(text)
        } throws: { error in
            let description = "\(error)"
            return description.hasPrefix("configuration: the file is not valid JSON: ") && description.contains(place)
        }
    }

    @Test func passwordFromEnvironmentAndNeverInDescription() throws {
        let configuration = try parse(
            #"{"MySQLTopologyPassword": "${BATON_PW}"}"#, environment: ["BATON_PW": "hunter2"])
        #expect(configuration.topology.password.value == "hunter2")
        #expect(!"\(configuration.topology)".contains("hunter2"))
        #expect(!"\(configuration)".contains("hunter2"))
    }

    @Test func credentialsFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("baton-creds-\(UUID()).cnf").path
        try "[mysql]\nuser=wrong\n[client]\nuser = baton\npassword = \"p w\"\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try parse(#"{"MySQLTopologyUser": "x", "MySQLTopologyCredentialsConfigFile": "\#(path)"}"#)
        #expect(configuration.topology.user == "baton")
        #expect(configuration.topology.password.value == "p w")
    }

    @Test func basicAuthenticationWithThePasswordFromTheEnvironment() throws {
        let configuration = try parse(
            #"{"AuthenticationMethod": "basic", "HTTPAuthUser": "ops", "HTTPAuthPassword": "${BATON_HTTP_PW}", "ReadOnly": true}"#,
            environment: ["BATON_HTTP_PW": "s3cret"])
        #expect(configuration.http.authenticationMethod == "basic")
        #expect(configuration.http.authUser == "ops")
        #expect(configuration.http.authPassword.value == "s3cret")
        #expect(configuration.http.readOnly)
        #expect(!"\(configuration.http)".contains("s3cret"))
    }
}

/// The recovery keys: orchestrator's names and defaults, Baton's policy keys, and clear errors.
struct RecoveryConfigurationTests {
    func parse(_ json: String) throws(ConfigurationError) -> BatonConfiguration {
        try BatonConfiguration.parse(Data(json.utf8))
    }

    @Test func defaultsFollowOrchestrator() throws {
        let recovery = try parse("{}").recovery
        #expect(recovery.blockSeconds == 3600)
        #expect(recovery.masterFilter.entries.isEmpty)
        #expect(recovery.planOptions.applyPromotion)
        #expect(recovery.detachLostReplicas)
        #expect(recovery.policyFailureMode == .builtInRules)
        #expect(recovery.maintenanceLagSeconds == 20)
        #expect(recovery.hooks.hooks.isEmpty)
    }

    @Test func keysAreRead() throws {
        let recovery = try parse("""
            {"RecoveryPeriodBlockMinutes": 5, "RecoverMasterClusterFilters": ["prod-.*"],
             "PreventCrossDataCenterMasterFailover": true, "FailMasterPromotionOnLagMinutes": 2,
             "PromotionIgnoreHostnameFilters": ["backup"], "DetachLostReplicasAfterMasterFailover": false,
             "ApplyMySQLPromotionAfterMasterFailover": false, "PolicyScript": "/etc/baton/policy.lua",
             "PolicyFailureMode": "abort", "PreFailoverProcesses": ["echo {failedHost}"], "HookTimeoutSeconds": 5}
            """).recovery
        #expect(recovery.blockSeconds == 300)
        #expect(recovery.masterFilter.entries == ["prod-.*"])
        #expect(recovery.constraints.preventCrossDataCenter)
        #expect(recovery.constraints.failOnLagMinutes == 2)
        #expect(recovery.constraints.ignoreHostnameFilters == ["backup"])
        #expect(!recovery.detachLostReplicas)
        #expect(!recovery.planOptions.applyPromotion)
        #expect(recovery.policyScript == "/etc/baton/policy.lua")
        #expect(recovery.policyFailureMode == .abort)
        #expect(recovery.hooks[.preFailover].count == 1)
        #expect(recovery.hooks.defaultTimeout == .seconds(5))
    }

    @Test func hookKeysAreNotReportedAsUnknown() throws {
        let configuration = try parse(#"{"PostFailoverProcesses": ["true"], "ProcessesShellCommand": "sh"}"#)
        #expect(configuration.warnings.isEmpty, "\(configuration.warnings)")
    }

    @Test(arguments: [
        (#"{"RecoverMasterClusterFilters": ["("]}"#, "RecoverMasterClusterFilters"),
        (#"{"FailMasterPromotionIfSQLThreadNotUpToDate": true, "DelayMasterPromotionIfSQLThreadNotUpToDate": true}"#,
         "DelayMasterPromotionIfSQLThreadNotUpToDate"),
        (#"{"PolicyFailureMode": "panic"}"#, "PolicyFailureMode"),
        (#"{"PreFailoverProcesses": "echo"}"#, "PreFailoverProcesses"),
        (#"{"PostFailoverProcesses": [{"argv": []}]}"#, "PostFailoverProcesses[0]"),
        (#"{"MySQLReplicationPassword": "${NOT_SET_ANYWHERE}"}"#, "MySQLReplicationPassword"),
    ])
    func wrongValuesNameTheirKey(json: String, key: String) {
        #expect {
            _ = try parse(json)
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}

/// The Raft keys: orchestrator's names, Baton's node ids and secret, and clear errors.
struct RaftConfigurationTests {
    func parse(_ json: String, environment: [String: String] = [:]) throws(ConfigurationError) -> BatonConfiguration {
        try BatonConfiguration.parse(Data(json.utf8), environment: environment)
    }

    @Test func threeNodesWithDerivedAndExplicitIDs() throws {
        let raft = try parse("""
            {"RaftEnabled": true, "RaftBind": "10.0.0.2:10008", "RaftDataDir": "/var/lib/baton/raft",
             "RaftNodes": ["10.0.0.1", "10.0.0.2:10008", "7@10.0.0.3:10009"], "RaftSharedSecret": "${SECRET}",
             "ListenAddress": ":3000"}
            """, environment: ["SECRET": "s3cret"]).raft
        #expect(raft.enabled)
        #expect(raft.nodes.map(\.address) == ["10.0.0.1:10008", "10.0.0.2:10008", "10.0.0.3:10009"])
        #expect(raft.nodes[2].id == 7)
        #expect(raft.nodes[0].id == BatonConfiguration.raftNodeID(for: "10.0.0.1:10008"))
        #expect(raft.selfID == raft.nodes[1].id)
        #expect(raft.advertise == "10.0.0.2:10008")
        #expect(raft.sharedSecret.value == "s3cret")
        #expect(raft.httpAdvertise == "http://10.0.0.2:3000")
    }

    /// Listening on every interface, the API is published at the address peers use for Raft — `RaftAdvertise`, not a
    /// `RaftBind` of 0.0.0.0 — and a wildcard that would still be published is refused with the key to set.
    @Test func theAdvertisedAPINeverNamesAWildcardAddress() throws {
        let advertised = try parse("""
            {"RaftEnabled": true, "RaftBind": "0.0.0.0:10008", "RaftAdvertise": "10.0.0.2:10008", "RaftDataDir": "/d",
             "RaftNodes": ["10.0.0.1:10008", "10.0.0.2:10008"], "ListenAddress": "0.0.0.0:3000"}
            """).raft
        #expect(advertised.httpAdvertise == "http://10.0.0.2:3000")
        let error = #expect(throws: ConfigurationError.self) {
            try parse("""
                {"RaftEnabled": true, "RaftBind": "10.0.0.2:10008", "RaftDataDir": "/d", "RaftNodes": ["10.0.0.2:10008"],
                 "HTTPAdvertise": "http://0.0.0.0:3000"}
                """)
        }
        #expect(error?.key == "HTTPAdvertise")
        #expect(error.map { "\($0)" }?.contains("not an address other nodes can reach") == true)
    }

    @Test(arguments: [
        (#"{"RaftEnabled": true, "RaftNodes": ["127.0.0.1:10008"]}"#, "RaftDataDir"),
        (#"{"RaftEnabled": true, "RaftDataDir": "/d", "RaftNodes": ["10.9.9.9:1"]}"#, "RaftNodes"),
        (#"{"RaftEnabled": true, "RaftDataDir": "/d", "RaftBind": "nonsense:port"}"#, "RaftBind"),
        (#"{"RaftEnabled": true, "RaftDataDir": "/d", "RaftNodes": ["0@127.0.0.1:10008"]}"#, "RaftNodes"),
        (#"{"RaftEnabled": true, "RaftDataDir": "/d", "RaftPreferredLeader": "10.1.1.1:1"}"#, "RaftPreferredLeader"),
        (#"{"RaftEnabled": true, "RaftDataDir": "/d", "RaftNodes": ["127.0.0.1:10008", "db 2:10008"]}"#, "RaftNodes"),
        (#"{"RaftEnabled": true, "RaftDataDir": "/d", "RaftBind": "../:10008"}"#, "RaftBind"),
    ])
    func wrongRaftValuesNameTheirKey(json: String, key: String) {
        #expect {
            _ = try parse(json)
        } throws: { error in
            "\(error)".contains(key)
        }
    }

    /// `raft-add-peer/:addr` parses its address with `raftNode`: garbage must not become a member.
    @Test(arguments: ["\0", "\0:10008", "../", "..", "*", "a b:1", "db\n1:1", "\u{2603}:1", "\"x\":1", "", ":1", "7@"])
    func aPeerAddressThatNamesNoHostIsRefused(text: String) {
        #expect(BatonConfiguration.raftNode(text) == nil, "\(String(describing: BatonConfiguration.raftNode(text)))")
    }

    @Test(arguments: [
        ("db-1.example.com", "db-1.example.com:10008"), ("10.0.0.3:10009", "10.0.0.3:10009"),
        ("7@db_2:1", "db_2:1"), ("[::1]:10008", "[::1]:10008"), ("[fe80::1%eth0]:1", "[fe80::1%eth0]:1"),
    ])
    func aPeerAddressIsAHostNameOrAnIPAddress(text: String, address: String) {
        #expect(BatonConfiguration.raftNode(text)?.address == address)
    }
}
