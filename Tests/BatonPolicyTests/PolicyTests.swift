import BatonCore
import Foundation
import Testing

@testable import BatonPolicy

@Suite struct PolicyTests {
    private func policy(_ source: String, limits: PolicyLimits = PolicyLimits()) throws(PolicyError) -> Policy {
        try Policy(source: source, name: "test.lua", limits: limits)
    }

    @Test func contentHashIsSHA256OfTheSource() throws {
        #expect(Policy.contentHash(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Policy.contentHash(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = String(repeating: "a", count: 1000)
        #expect(Policy.contentHash(of: long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(try policy("x = 1").contentHash == Policy.contentHash(of: "x = 1"))
    }

    @Test func definedFunctionsAreDiscovered() throws {
        let loaded = try policy("function filter(a) return true end\nfunction pre_failover() end\nlocal function rank() end")
        #expect(loaded.definedFunctions == [.filter, .preFailover])
        #expect(throws: PolicyError.self) { try loaded.rank(failed: Fixtures.failed, candidates: [], context: Fixtures.context()) }
        do {
            _ = try loaded.postFailover(failed: Fixtures.failed, successor: Fixtures.failed, context: Fixtures.context())
            Issue.record("expected missingFunction")
        } catch { #expect(error.code == .missingFunction) }
    }

    @Test func syntaxErrorIsLoadFailedWithTheLine() {
        do {
            _ = try policy("function rank()\n  return {\nend end\n")
            Issue.record("expected loadFailed")
        } catch {
            #expect(error.code == .loadFailed)
            #expect(error.line == 3)
            #expect(error.message.hasPrefix("test.lua:3:"))
        }
    }

    @Test func bytecodeIsRefused() {
        do {
            _ = try policy("\u{1B}Lua\u{54}\u{00}binary")
            Issue.record("expected loadFailed")
        } catch {
            #expect(error.code == .loadFailed)
            #expect(error.message.contains("binary"))
        }
    }

    @Test func topLevelErrorIsLoadFailed() {
        do {
            _ = try policy("local x = nil\nx.y = 1")
            Issue.record("expected loadFailed")
        } catch {
            #expect(error.code == .loadFailed)
            #expect(error.line == 2)
            #expect(error.traceback?.contains("stack traceback") == true)
        }
    }

    @Test func missingFileIsLoadFailed() {
        #expect(throws: PolicyError.self) { try Policy(contentsOfFile: "/nonexistent/policy.lua") }
    }

    @Test func filterAllowsAndDenies() throws {
        let loaded = try policy(
            """
            function filter(analysis)
              if analysis.cluster == "main-db:3306" and analysis.count_valid_replicas >= 2 then return true end
              return false, "not enough replicas in " .. analysis.cluster
            end
            """)
        #expect(try loaded.filter(Fixtures.analysis).value == FilterDecision(allowed: true))
        var small = Fixtures.analysis
        small.countValidReplicas = 1
        #expect(try loaded.filter(small).value == FilterDecision(allowed: false, reason: "not enough replicas in main-db:3306"))
    }

    @Test func filterMustReturnABoolean() throws {
        let loaded = try policy("function filter() return 'yes' end")
        do {
            _ = try loaded.filter(Fixtures.analysis)
            Issue.record("expected invalidAnswer")
        } catch {
            #expect(error.code == .invalidAnswer)
            #expect(error.function == "filter")
        }
    }

    @Test func rankOrdersExcludesAndExplains() throws {
        let loaded = try policy(
            """
            function rank(failed, candidates, context)
              return { candidates[3].key, candidates[1].key }, { [candidates[2].key] = "too slow", [candidates[3].key] = "best" }
            end
            """)
        let outcome = try loaded.rank(failed: Fixtures.failed, candidates: Fixtures.candidates, context: Fixtures.context())
        let r1 = InstanceKey(hostname: "r1", port: 3306)
        let r2 = InstanceKey(hostname: "r2", port: 3306)
        let r3 = InstanceKey(hostname: "r3", port: 3306)
        #expect(outcome.value == .ranked([r3, r1], reasons: [r2: "too slow", r3: "best"]))
        #expect(outcome.duration > .zero)
    }

    @Test func rankVeto() throws {
        let loaded = try policy("function rank() return nil, 'not today' end")
        let outcome = try loaded.rank(failed: Fixtures.failed, candidates: Fixtures.candidates, context: Fixtures.context())
        #expect(outcome.value == .veto(reason: "not today"))
        let silent = try policy("function rank() end")
        #expect(
            try silent.rank(failed: Fixtures.failed, candidates: [], context: Fixtures.context()).value
                == .veto(reason: "the policy vetoed the recovery without a reason"))
    }

    @Test(arguments: [
        ("return {'nowhere:3306'}", "'nowhere:3306' is not one of the candidates"),
        ("return {'r1:3306', 'r1:3306'}", "appears more than once"),
        ("return {'r1:3306', 42}", "entry 2 is a number"),
        ("return {'r1:3306', x = 'r2:3306'}", "it has the key 'x'"),
        ("return {[1] = 'r1:3306', [3] = 'r2:3306'}", "it has the key 3"),
        ("return 'r1:3306'", "it returned string"),
        ("return {'r1:3306'}, {['zz:1'] = 'x'}", "'zz:1' is not a candidate"),
        ("return {'r1:3306'}, {['r1:3306'] = 5}", "is a number, not a string"),
        ("return {'r1:3306'}, 'reason'", "second result must be a table"),
    ])
    func rankAnswersAreValidated(body: String, problem: String) throws {
        let loaded = try policy("function rank(failed, candidates, context) \(body) end")
        do {
            _ = try loaded.rank(failed: Fixtures.failed, candidates: Fixtures.candidates, context: Fixtures.context())
            Issue.record("expected invalidAnswer for \(body)")
        } catch {
            #expect(error.code == .invalidAnswer)
            #expect(error.message.contains(problem), "\(error.message)")
        }
    }

    @Test func preFailoverProceedsOrAborts() throws {
        let loaded = try policy(
            """
            function pre_failover(failed, candidate, context)
              if candidate.hostname == "r2" then return false, "r2 is reserved" end
            end
            """)
        let context = Fixtures.context()
        #expect(try loaded.preFailover(failed: Fixtures.failed, candidate: Fixtures.candidates[0], context: context).value.proceed)
        let refused = try loaded.preFailover(failed: Fixtures.failed, candidate: Fixtures.candidates[1], context: context)
        #expect(refused.value == PreFailoverDecision(proceed: false, reason: "r2 is reserved"))
    }

    @Test func hooksOnlyReportErrors() throws {
        let loaded = try policy(
            """
            function on_detection(analysis) baton.log("notice", "detected " .. analysis.code) return 12 end
            function post_failover(failed, successor, context) error("cannot notify " .. successor.key) end
            """)
        let detection = try loaded.onDetection(Fixtures.analysis)
        #expect(detection.logLines == [PolicyLogLine(level: .notice, message: "detected DeadMaster")])
        do {
            _ = try loaded.postFailover(failed: Fixtures.failed, successor: Fixtures.candidates[0], context: Fixtures.context())
            Issue.record("expected runtimeError")
        } catch {
            #expect(error.code == .runtimeError)
            #expect(error.function == "post_failover")
            #expect(error.message == "test.lua:2: cannot notify r1:3306")
            #expect(error.line == 2)
            #expect(error.traceback?.contains("post_failover") == true)
        }
    }

    @Test func inputTablesCarryTheDocumentedFields() throws {
        let loaded = try policy(
            """
            function rank(failed, candidates, context)
              local c = candidates[1]
              assert(c.key == "odd\\"host:3307" and c.hostname == 'odd"host' and c.port == 3307, c.key)
              assert(c.cluster == "main-db:3306" and c.data_center == "dc9" and c.region == "" and c.environment == "")
              assert(c.version == "10.11.6-MariaDB-log" and c.flavor == "MariaDB" and c.read_only == false)
              assert(c.lag_seconds == nil and c.sql_delay == 5 and c.promotion_rule == "neutral")
              assert(c.executed_gtid == "0-1-100" and c.log_bin and c.log_replica_updates and c.binlog_format == "ROW")
              assert(c.is_downtimed == false and #c.tags == 2 and c.tags[2] == "ünïcode")
              assert(c.source == "primary:3306" and c.replication_depth == 1 and c.is_replicating)
              assert(context.now == 1717581600 and context.now_iso == "2024-06-05T10:00:00Z")
              assert(context.utc.weekday == 3 and context.utc.hour == 10 and context.node == "baton-1")
              assert(context.analysis.code == "DeadMaster" and context.analysis.count_replicas == 3)
              assert(context.analysis.count_valid_replicating_replicas == 0 and context.values.ticket == "T-1")
              assert(failed.key == "primary:3306" and failed.lag_seconds == nil)
              return { c.key }
            end
            """)
        let odd = Fixtures.instance("odd\"host", port: 3307, dataCenter: "dc9", lag: nil, sqlDelay: 5, gtid: "0-1-100", tags: ["a", "ünïcode"])
        var context = Fixtures.context()
        context.values = ["ticket": "T-1"]
        let outcome = try loaded.rank(failed: Fixtures.failed, candidates: [odd], context: context)
        #expect(outcome.value == .ranked([odd.key], reasons: [:]))
    }

    @Test func logLinesAreBounded() throws {
        let limits = PolicyLimits(maxLogLines: 5, maxTextBytes: 20)
        let loaded = try policy(
            """
            function on_detection()
              for i = 1, 50 do baton.log("info", "line " .. i) end
              print("long", string.rep("x", 100))
            end
            """, limits: limits)
        let outcome = try loaded.onDetection(Fixtures.analysis)
        #expect(outcome.logLines.count == 5)
        #expect(outcome.logLines.first == PolicyLogLine(level: .info, message: "line 1"))
        #expect(outcome.droppedLogLines == 46)

        let short = try policy("function on_detection() print('a', 1, nil, true) baton.log('debug', string.rep('y', 100)) end", limits: limits)
        let lines = try short.onDetection(Fixtures.analysis).logLines
        #expect(lines[0] == PolicyLogLine(level: .info, message: "a\t1\tnil\ttrue"))
        #expect(lines[1].message == String(repeating: "y", count: 20) + "…")
    }

    @Test func logLinesSurviveAFailure() throws {
        let loaded = try policy("function rank() baton.log('warning', 'about to fail') error('boom') end")
        do {
            _ = try loaded.rank(failed: Fixtures.failed, candidates: [], context: Fixtures.context())
        } catch {
            #expect(error.logLines == [PolicyLogLine(level: .warning, message: "about to fail")])
        }
    }

    @Test func globalsDoNotLeakBetweenDecisions() throws {
        let loaded = try policy(
            """
            counter = 0
            function on_detection()
              counter = counter + 1
              assert(leaked == nil, "a global leaked from an earlier decision")
              leaked = true
              string.upper = nil
              baton.log("info", tostring(counter))
            end
            """)
        for _ in 0..<3 {
            #expect(try loaded.onDetection(Fixtures.analysis).logLines.map(\.message) == ["1"])
        }
        // The string library is whole again in the next decision.
        let other = try policy("function filter() return string.upper('a') == 'A' end")
        #expect(try other.filter(Fixtures.analysis).value.allowed)
    }

    @Test func randomIsDeterministic() throws {
        let loaded = try policy("function on_detection() baton.log('info', tostring(math.random(1, 1000000))) end")
        let first = try loaded.onDetection(Fixtures.analysis).logLines
        #expect(try loaded.onDetection(Fixtures.analysis).logLines == first)
    }
}
