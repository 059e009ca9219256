import BatonCore
import Foundation
import Logging

@testable import BatonHooks

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory for one test's scripts and marker files.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/baton-hooks-test-XXXXXX").utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard result != nil else { throw CocoaError(.fileWriteUnknown) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }

    /// Writes an executable script and returns its path.
    func script(_ name: String, _ body: String) throws -> String {
        let path = file(name)
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }
}

enum Fixtures {
    static let logger = Logger(label: "baton.hooks.test") { _ in SwiftLogNoOpLogHandler() }

    static func runner(
        timeout: Duration = .seconds(10), onAsyncResult: (@Sendable (HookResult) -> Void)? = nil
    ) -> HookRunner {
        HookRunner(
            settings: .init(defaultTimeout: timeout, killGracePeriod: .milliseconds(200)), logger: logger,
            onAsyncResult: onAsyncResult)
    }

    static func context(
        failedHost: String = "db1.example.com", successor: InstanceKey? = nil, description: String = "master is dead"
    ) -> HookContext {
        HookContext(
            command: "recover", failureType: .deadMaster, instanceType: "master", isMaster: true,
            failureDescription: description, failedInstance: InstanceKey(hostname: failedHost, port: 3306),
            failureCluster: "db1.example.com:3306", failureClusterAlias: "shop", failureClusterDomain: "example.com",
            replicaHosts: [InstanceKey(hostname: "db2", port: 3306), InstanceKey(hostname: "db3", port: 3307)],
            isDowntimed: false, autoMasterRecovery: true, autoIntermediateMasterRecovery: false,
            orchestratorHost: "baton-1", recoveryUID: "uid-123", successor: successor,
            successorAlias: successor == nil ? nil : "db2-alias",
            successorBinlogCoordinates: successor == nil ? nil : BinlogCoordinates(logFile: "bin.000007", logPos: 4711),
            lostReplicas: [InstanceKey(hostname: "db3", port: 3307)], isSuccessful: successor != nil)
    }

    /// Whether `pid` is gone (or only a zombie waiting for its new parent to reap it), waiting up to 5 s.
    static func processIsGone(_ pid: pid_t) async throws -> Bool {
        for _ in 0..<250 {
            if kill(pid, 0) == -1 && errno == ESRCH { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                stat[stat.index(close, offsetBy: 2)] == "Z"
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
