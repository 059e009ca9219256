import BatonCore
import Foundation
import Testing

@testable import BatonHooks

#if canImport(Glibc)
import Glibc
#endif

/// `hooks/consul-kv-primary`, `hooks/proxysql-switch-writer` and `hooks/dns-nsupdate`: Consul against a python3 fake
/// of its KV HTTP API, ProxySQL against a fake client that records what it is given, DNS against a fake nsupdate and,
/// when bind9 is installed, a real named.
@Suite struct ServiceHookTests {
    static let allHooks = ["haproxy-switch-primary", "dns-nsupdate", "proxysql-switch-writer", "consul-kv-primary"]

    @Test(arguments: allHooks)
    func everyHookIsExecutableAndValidBash(_ name: String) throws {
        #expect(access(Examples.hook(name), X_OK) == 0, "\(name) is not executable")
        let directory = try TemporaryDirectory()
        let bash = try #require(Examples.executable("bash"))
        let process = try ExampleProcess(bash, ["-n", Examples.hook(name)], outputPath: directory.file("out"))
        #expect(process.wait() == 0, "bash -n \(name): \((try? directory.read("out")) ?? "")")
    }

    @Test(arguments: allHooks)
    func everyHookFailsClearlyWithoutSuccessor(_ name: String) async throws {
        let directory = try TemporaryDirectory()
        let defaults = try directory.script("defaults.cnf", "")  // any readable file will do
        let environment = [
            "HAPROXY_SOCKET": directory.file("admin.sock"), "NSUPDATE_NAME": "db.example.test",
            "PROXYSQL_DEFAULTS_FILE": defaults, "CONSUL_ADDR": "http://127.0.0.1:1",
        ]
        let result = await Fixtures.runner().run(
            HookSpec(.arguments([Examples.hook(name)]), environment: environment), phase: .postMasterFailover,
            context: Fixtures.context())
        #expect(result.termination == .exited(1), "\(name): \(result)")
        #expect(result.output.text.contains("\(name): error: ORC_SUCCESSOR_HOST is missing"), "\(result.output.text)")
    }

    @Test(arguments: allHooks)
    func everyHookLeavesIntermediatePrimariesAlone(_ name: String) async throws {
        var context = Fixtures.failover(to: "db2", port: 3306)
        context.failureType = .deadIntermediateMaster
        context.instanceType = "intermediate-master"
        context.isMaster = false
        let result = await Fixtures.runner().run(
            HookSpec(.arguments([Examples.hook(name)])), phase: .postFailover, context: context)
        #expect(result.succeeded, "\(name): \(result): \(result.output.text)")
        #expect(result.output.text.contains("nothing to do"), "\(result.output.text)")
    }

    // MARK: Consul

    /// Consul's KV endpoint as far as the hook uses it: records every request as one JSON line and answers `true`,
    /// or 403 for keys under `denied/`.
    static let fakeConsul = #"""
        import http.server, json, os, sys
        port_file, record = sys.argv[1], sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                with open(record, "a") as f:
                    f.write(json.dumps({"method": method, "path": self.path, "body": body,
                                        "token": self.headers.get("X-Consul-Token")}) + "\n")
                denied = self.path.startswith("/v1/kv/denied/")
                self.send_response(403 if denied else 200)
                self.end_headers()
                self.wfile.write(b"Permission denied" if denied else b"true")
            def do_PUT(self): self.answer("PUT")
            def do_DELETE(self): self.answer("DELETE")
            def log_message(self, *arguments): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with open(port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(port_file + ".tmp", port_file)
        server.serve_forever()
        """#

    struct Request: Decodable, Equatable {
        var method: String
        var path: String
        var body: String
        var token: String?
    }

    static func requests(in directory: TemporaryDirectory) throws -> [Request] {
        guard directory.exists("requests.jsonl") else { return [] }
        return try directory.read("requests.jsonl").split(separator: "\n").map {
            try JSONDecoder().decode(Request.self, from: Data($0.utf8))
        }
    }

    @Test(.enabled(if: Examples.python3 != nil && Examples.executable("curl") != nil, "python3 and curl are needed"))
    func consulKeyIsSetToTheSuccessor() async throws {
        let directory = try TemporaryDirectory()
        let consul = try await Examples.startPythonServer(
            Self.fakeConsul, named: "consul", arguments: [directory.file("requests.jsonl")], in: directory)
        defer { consul.process.terminate() }
        try "s3cr3t-token\n".write(toFile: directory.file("token"), atomically: true, encoding: .utf8)
        let hook = HookSpec(
            .arguments([Examples.hook("consul-kv-primary")]), timeout: .seconds(15),
            environment: ["CONSUL_ADDR": "http://127.0.0.1:\(consul.port)", "CONSUL_TOKEN_FILE": directory.file("token")])

        let result = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "db2.example.com", port: 3306))
        #expect(result.succeeded, "\(result): \(result.output.text)")
        #expect(try Self.requests(in: directory) == [
            Request(method: "PUT", path: "/v1/kv/mysql/master/shop", body: "db2.example.com:3306", token: "s3cr3t-token"),
        ])

        // orchestrator's detailed layout, for an IP successor: hostname, port, ipv4, no ipv6, then the main key.
        try FileManager.default.removeItem(atPath: directory.file("requests.jsonl"))
        var detailed = hook
        detailed.environment["CONSUL_DETAILED_KEYS"] = "1"
        detailed.environment["CONSUL_KV_PREFIX"] = "/db/primary/"
        detailed.environment["CONSUL_DATACENTER"] = "dc2"
        let second = await Fixtures.runner().run(
            detailed, phase: .postMasterFailover, context: Fixtures.failover(to: "10.0.0.7", port: 3307))
        #expect(second.succeeded, "\(second): \(second.output.text)")
        #expect(try Self.requests(in: directory).map { "\($0.method) \($0.path) \($0.body)" } == [
            "PUT /v1/kv/db/primary/shop/hostname?dc=dc2 10.0.0.7", "PUT /v1/kv/db/primary/shop/port?dc=dc2 3307",
            "PUT /v1/kv/db/primary/shop/ipv4?dc=dc2 10.0.0.7", "DELETE /v1/kv/db/primary/shop/ipv6?dc=dc2 ",
            "PUT /v1/kv/db/primary/shop?dc=dc2 10.0.0.7:3307",
        ])

        // Consul refusing (an ACL) fails the hook with its status and answer.
        var denied = hook
        denied.environment["CONSUL_KV_PREFIX"] = "denied"
        let refused = await Fixtures.runner().run(
            denied, phase: .postMasterFailover, context: Fixtures.failover(to: "db2", port: 3306))
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.output.text.contains("Consul refused PUT /v1/kv/denied/shop (HTTP 403): Permission denied"),
            "\(refused.output.text)")
    }

    // MARK: ProxySQL

    @Test func proxysqlGetsTheWriterUpdateWithCredentialsFromTheOptionFile() async throws {
        let directory = try TemporaryDirectory()
        // Stands in for the mariadb client: records its argv and the SQL it reads.
        let client = try directory.script("fake-client", """
            printf '%s\\n' "$@" > "$(dirname "$0")/argv.txt"
            cat > "$(dirname "$0")/sql.txt"
            if grep -q 'hostgroup_id=99' "$(dirname "$0")/sql.txt"; then
                echo "ERROR 1045 (28000): ProxySQL Error: Access denied for user 'admin'" >&2; exit 1
            fi
            """)
        let defaults = directory.file("proxysql-admin.cnf")
        try "[client]\nuser=admin\npassword=admin-secret\n".write(toFile: defaults, atomically: true, encoding: .utf8)
        let hook = HookSpec(
            .arguments([Examples.hook("proxysql-switch-writer")]),
            environment: [
                "PROXYSQL_CLIENT": client, "PROXYSQL_DEFAULTS_FILE": defaults, "PROXYSQL_WRITER_HOSTGROUP": "10",
                "PROXYSQL_READER_HOSTGROUP": "20",
            ])
        let result = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "db2.example.com", port: 3307))
        #expect(result.succeeded, "\(result): \(result.output.text)")

        let argv = try directory.read("argv.txt")
        #expect(argv.hasPrefix("--defaults-file=\(defaults)\n"), "\(argv)")
        #expect(argv.contains("--host=127.0.0.1\n") && argv.contains("--port=6032\n"), "\(argv)")
        #expect(!argv.contains("admin-secret") && !argv.contains("--password"), "\(argv)")
        #expect(try directory.read("sql.txt") == """
            DELETE FROM mysql_servers WHERE hostgroup_id=10;
            INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (10, 'db2.example.com', 3307);
            DELETE FROM mysql_servers WHERE hostgroup_id=20 AND hostname='db1.example.com' AND port=3306;
            LOAD MYSQL SERVERS TO RUNTIME;
            SAVE MYSQL SERVERS TO DISK;

            """)

        var refusedHook = hook
        refusedHook.environment["PROXYSQL_WRITER_HOSTGROUP"] = "99"
        let refused = await Fixtures.runner().run(
            refusedHook, phase: .postMasterFailover, context: Fixtures.failover(to: "db2", port: 3306))
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.output.text.contains("Access denied"), "\(refused.output.text)")
        #expect(refused.output.text.contains("the ProxySQL admin interface refused the update"), "\(refused.output.text)")

        // A quote in a hostname could leave its SQL string: refused before any client runs.
        try FileManager.default.removeItem(atPath: directory.file("sql.txt"))
        let hostile = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "x'); DELETE FROM mysql_users; --", port: 1))
        #expect(hostile.termination == .exited(1), "\(hostile)")
        #expect(!directory.exists("sql.txt"))
    }

    // MARK: DNS

    @Test func nsupdateReceivesOneAtomicUpdate() async throws {
        let directory = try TemporaryDirectory()
        let bin = directory.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        _ = try directory.script("bin/nsupdate", """
            printf '%s\\n' "$@" > "\(directory.path)/argv.txt"
            cat > "\(directory.path)/update.txt"
            """)
        try "key".write(toFile: directory.file("tsig.key"), atomically: true, encoding: .utf8)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let hook = HookSpec(
            .arguments([Examples.hook("dns-nsupdate")]),
            environment: [
                "PATH": bin + ":" + path, "NSUPDATE_DOMAIN": "primary.example.test", "NSUPDATE_SERVER": "10.0.0.53",
                "NSUPDATE_KEY_FILE": directory.file("tsig.key"), "NSUPDATE_TTL": "30",
            ])
        let result = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "db2.example.test", port: 3306))
        #expect(result.succeeded, "\(result): \(result.output.text)")
        #expect(try directory.read("argv.txt") == "-t\n10\n-k\n\(directory.file("tsig.key"))\n")
        #expect(try directory.read("update.txt") == """
            server 10.0.0.53 53
            update delete shop.primary.example.test. A
            update delete shop.primary.example.test. AAAA
            update delete shop.primary.example.test. CNAME
            update add shop.primary.example.test. 30 CNAME db2.example.test.
            send

            """)
    }

    static let named = Examples.executable("named")
    static let dnsTools = ["nsupdate", "dig", "tsig-keygen"].allSatisfy { Examples.executable($0) != nil }

    @Test(.enabled(if: named != nil && dnsTools, "named (Debian: bind9) and bind9-dnsutils are not installed"))
    func realNamedServesTheNewPrimary() async throws {
        let directory = try TemporaryDirectory()
        let keygen = try ExampleProcess(
            try #require(Examples.executable("tsig-keygen")), ["-a", "hmac-sha256", "baton-hook"],
            outputPath: directory.file("key.conf"))
        #expect(keygen.wait() == 0)
        try """
            $TTL 60
            @ IN SOA ns.example.test. admin.example.test. 1 60 60 600 60
            @ IN NS ns.example.test.
            ns IN A 127.0.0.1
            shop-primary IN A 10.0.0.1
            """.write(toFile: directory.file("example.test.zone"), atomically: true, encoding: .utf8)

        var started: (process: ExampleProcess, port: Int)?
        for attempt in 1...3 where started == nil {
            let port = try Examples.freePort()
            try """
                include "\(directory.file("key.conf"))";
                options {
                    directory "\(directory.path)"; pid-file none; listen-on port \(port) { 127.0.0.1; };
                    listen-on-v6 { none; }; recursion no; dnssec-validation no;
                };
                controls { };
                zone "example.test" {
                    type primary; file "\(directory.file("example.test.zone"))"; allow-update { key "baton-hook"; };
                };
                """.write(toFile: directory.file("named.conf"), atomically: true, encoding: .utf8)
            let process = try ExampleProcess(
                try #require(Self.named), ["-g", "-n", "1", "-c", directory.file("named.conf")],
                outputPath: directory.file("named-\(attempt).log"))
            let ready = try await Examples.waitFor {
                !process.isRunning || ((try? directory.read("named-\(attempt).log")) ?? "").contains("running")
            }
            if ready && process.isRunning { started = (process, port) } else { process.terminate(grace: 1) }
        }
        let named = try #require(started, "named did not start: \((try? directory.read("named-3.log")) ?? "")")
        defer { named.process.terminate() }

        let hook = HookSpec(
            .arguments([Examples.hook("dns-nsupdate")]), timeout: .seconds(20),
            environment: [
                "NSUPDATE_NAME": "shop-primary.example.test", "NSUPDATE_SERVER": "127.0.0.1",
                "NSUPDATE_PORT": "\(named.port)", "NSUPDATE_ZONE": "example.test",
                "NSUPDATE_KEY_FILE": directory.file("key.conf"),
            ])
        let result = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "10.0.0.2", port: 3306))
        #expect(result.succeeded, "\(result): \(result.output.text)")
        #expect(try Self.dig("shop-primary.example.test", type: "A", port: named.port, in: directory) == "10.0.0.2")

        // A successor known by hostname becomes a CNAME, replacing the A record.
        let byName = await Fixtures.runner().run(
            hook, phase: .postMasterFailover, context: Fixtures.failover(to: "db3.example.test", port: 3306))
        #expect(byName.succeeded, "\(byName): \(byName.output.text)")
        #expect(try Self.dig("shop-primary.example.test", type: "CNAME", port: named.port, in: directory)
            == "db3.example.test.")
        #expect(try !Self.dig("shop-primary.example.test", type: "A", port: named.port, in: directory).contains("10.0.0"))

        // Without the key the server refuses, and the hook says so.
        var unsigned = hook
        unsigned.environment["NSUPDATE_KEY_FILE"] = nil
        let refused = await Fixtures.runner().run(
            unsigned, phase: .postMasterFailover, context: Fixtures.failover(to: "10.0.0.9", port: 3306))
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.output.text.contains("REFUSED"), "\(refused.output.text)")
        #expect(refused.output.text.contains("error: nsupdate failed"), "\(refused.output.text)")
    }

    static func dig(_ name: String, type: String, port: Int, in directory: TemporaryDirectory) throws -> String {
        let output = directory.file("dig-\(UUID().uuidString).txt")
        let process = try ExampleProcess(
            try #require(Examples.executable("dig")), ["@127.0.0.1", "-p", "\(port)", "+short", name, type],
            outputPath: output)
        process.wait()
        return try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
