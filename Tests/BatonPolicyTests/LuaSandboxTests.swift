import BatonCore
import Foundation
import Testing

@testable import BatonPolicy

@Suite struct LuaSandboxTests {
    /// Runs `body` as the policy's `on_detection` and returns the error it raised.
    private func failure(_ body: String, limits: PolicyLimits = PolicyLimits()) throws -> PolicyError {
        let policy = try Policy(source: "function on_detection(analysis)\n\(body)\nend", name: "sandbox.lua", limits: limits)
        do {
            _ = try policy.onDetection(Fixtures.analysis)
        } catch {
            return error
        }
        Issue.record("expected an error from: \(body)")
        return PolicyError(code: .runtimeError, message: "no error")
    }

    @Test(arguments: [
        "io.open('/etc/passwd')",
        "os.execute('touch /tmp/baton-escaped')",
        "require('os')",
        "dofile('/etc/passwd')",
        "loadfile('/etc/passwd')",
        "load(string.dump(function() end))",
        "load('return 1')",
        "debug.sethook()",
        "package.loadlib('libc.so.6', 'system')",
        "collectgarbage('stop')",
        "coroutine.wrap(function() end)()",
        "math.randomseed(42)",
        "table.move({}, 1, 1e15, 2)",
    ])
    func escapesAreUnavailable(body: String) throws {
        let error = try failure(body)
        #expect(error.code == .runtimeError, "\(error)")
        #expect(error.message.contains("nil value"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/baton-escaped"))
    }

    @Test func onlyTheSafeGlobalsExist() throws {
        let policy = try Policy(
            source: """
                function on_detection()
                  local names = {}
                  for name in pairs(_G) do names[#names + 1] = name end
                  table.sort(names)
                  baton.log("info", table.concat(names, " "))
                end
                """)
        let names = try policy.onDetection(Fixtures.analysis).logLines[0].message.split(separator: " ")
        #expect(
            names == [
                "_G", "_VERSION", "assert", "baton", "error", "getmetatable", "ipairs", "math", "next", "on_detection",
                "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable",
                "string", "table", "tonumber", "tostring", "type", "utf8", "xpcall",
            ])
    }

    @Test func runawayLoopHitsTheInstructionBudget() throws {
        let error = try failure("while true do end")
        #expect(error.code == .instructionLimit)
    }

    @Test func pcallCannotSwallowTheBudget() throws {
        let error = try failure("while true do pcall(function() while true do end end) end")
        #expect(error.code == .instructionLimit)
        let nested = try failure("local ok = pcall(function() while true do end end)\nreturn ok")
        #expect(nested.code == .instructionLimit)
    }

    @Test func slowLoopHitsTheTimeLimit() throws {
        let limits = PolicyLimits(instructions: .max, timeLimit: .milliseconds(100))
        let error = try failure("while true do end", limits: limits)
        #expect(error.code == .timeLimit)
    }

    @Test func topLevelLoopIsContainedToo() {
        do {
            _ = try Policy(source: "while true do end")
            Issue.record("expected a limit")
        } catch {
            #expect(error.code == .instructionLimit)
        }
    }

    @Test func memoryHogHitsTheCap() throws {
        let error = try failure("local t = {} while true do t[#t+1] = string.rep('x', 1e6) end")
        #expect(error.code == .memoryLimit, "\(error)")
        let huge = try failure("local s = string.rep('x', 1e9)")
        #expect(huge.code == .memoryLimit, "\(huge)")
        let caught = try failure("local ok, e = pcall(string.rep, 'x', 1e9) error(e)")
        #expect(caught.code == .memoryLimit, "\(caught)")
    }

    @Test func memoryCapIsConfigurable() throws {
        let limits = PolicyLimits(memoryBytes: 1 << 20)
        let error = try failure("local s = string.rep('x', 2 * 1024 * 1024)", limits: limits)
        #expect(error.code == .memoryLimit)
        #expect(error.message.contains("1048576"))
    }

    @Test func deepRecursionIsARuntimeError() throws {
        let error = try failure("local function f(n) return 1 + f(n + 1) end\nreturn f(1)")
        #expect(error.code == .runtimeError || error.code == .memoryLimit, "\(error)")
        let viaMetatables = try failure(
            "local t = setmetatable({}, {__index = function(t, k) return t[k .. 'x'] end})\nreturn t.a")
        #expect(
            [.runtimeError, .memoryLimit, .instructionLimit].contains(viaMetatables.code), "\(viaMetatables)")
    }

    @Test func emptyRepeatIsNotALoopInC() throws {
        let policy = try Policy(source: "function filter() return string.rep('', 1e18) == '' and ('' ):rep(1e18, '') == '' end")
        #expect(try policy.filter(Fixtures.analysis).value.allowed)
    }

    @Test func backtrackingPatternsAreRefused() throws {
        let error = try failure("local s = string.rep('a', 5000)\nreturn s:find('.-.-.-.-b')")
        #expect(error.code == .runtimeError)
        #expect(error.message.contains("too costly"), "\(error.message)")
        let policy = try Policy(
            source: "function filter() return ('db-01.dc1'):match('^(%w+)%-(%d+)%.(%w+)$') == 'db', 'ok' end")
        #expect(try policy.filter(Fixtures.analysis).value == FilterDecision(allowed: true, reason: "ok"))
    }

    @Test func errorObjectsThatAreNotStrings() throws {
        let error = try failure("error({code = 1})")
        #expect(error.code == .runtimeError)
        #expect(error.message.contains("table value"))
    }

    @Test func helperErrorsAreReturnedNotRaised() throws {
        let policy = try Policy(
            source: """
                function on_detection()
                  local results = {}
                  local function add(ok, message) results[#results + 1] = tostring(ok) .. "|" .. tostring(message) end
                  add(baton.log("loud", "x"))
                  add(baton.log("info", {}))
                  add(baton.match("abc", "("))
                  add(baton.match("abc", "(a)\\\\1"))
                  add(baton.match(nil, "a"))
                  add(baton.gtid_contains("garbage", "0-1-1"))
                  add(baton.gtid_compare("0-1-1", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"))
                  add(baton.gtid_compare())
                  for _, line in ipairs(results) do baton.log("info", line) end
                end
                """)
        let lines = try policy.onDetection(Fixtures.analysis).logLines.map(\.message)
        #expect(lines.count == 8)
        #expect(lines.allSatisfy { $0.hasPrefix("nil|baton.") }, "\(lines)")
        #expect(lines[0].contains("level must be"))
        #expect(lines[2].contains("invalid regular expression"))
        #expect(lines[3].contains("back-references"))
        #expect(lines[5].contains("'garbage'"))
        #expect(lines[6].contains("cannot compare a MySQL GTID set with a MariaDB"))
    }

    @Test func helperErrorCanBeRaisedByThePolicy() throws {
        let error = try failure("assert(baton.match('x', '['))")
        #expect(error.code == .runtimeError)
        #expect(error.message.contains("baton.match"))
    }

    @Test(arguments: [
        ("db-01.dc1.example.com", "^db-[0-9]+\\\\.dc1\\\\.", true),
        ("db-01.dc2.example.com", "^db-[0-9]+\\\\.dc1\\\\.", false),
        ("replica7", "^(replica|standby)[0-9]{1,3}$", true),
        ("replica7", "^primary", false),
    ])
    func matchUsesExtendedRegularExpressions(text: String, pattern: String, expected: Bool) throws {
        let policy = try Policy(source: "function filter() return baton.match('\(text)', '\(pattern)') end")
        #expect(try policy.filter(Fixtures.analysis).value.allowed == expected)
    }
}
