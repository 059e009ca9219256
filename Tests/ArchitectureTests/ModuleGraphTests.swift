import Foundation
import Testing

/// The module graph of docs/architecture.md (DESIGN §2), checked on the sources: SwiftPM lets a target import any
/// module it reaches transitively, so `import BatonStore` in BatonHTTP would compile through BatonEngine. This test
/// reads every `import` of `Sources/` and fails on one the graph forbids, naming the file.
@Suite struct ModuleGraphTests {
    /// The Baton modules each product module may import (external packages are governed by Package.swift).
    static let allowed: [String: Set<String>] = [
        "BatonCore": [],
        "BatonRaft": [],
        "BatonMySQL": ["BatonCore"],
        "BatonStore": ["BatonCore", "BatonRaft"],
        "BatonPolicy": ["BatonCore", "CLua"],
        "BatonHooks": ["BatonCore"],
        "BatonEngine": ["BatonCore", "BatonMySQL", "BatonStore", "BatonPolicy", "BatonHooks", "BatonRaft"],
        "BatonHTTP": ["BatonCore", "BatonEngine"],
        "BatonClient": ["BatonCore"],
        "baton": ["BatonHTTP", "BatonClient", "BatonEngine", "BatonCore"],
    ]
    static let batonModules: Set<String> = Set(allowed.keys).union(["CLua", "BatonTestSupport"])

    static var sources: URL {
        URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Sources")
    }

    /// `(file relative to Sources/, module imported)` for every import line of `module`'s sources.
    static func imports(of module: String) throws -> [(file: String, module: String)] {
        let root = sources.appending(path: module)
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [(String, String)] = []
        for case let url as URL in files where url.pathExtension == "swift" {
            let relative = String(url.path.dropFirst(sources.path.count + 1))
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy({ $0.hasPrefix("@") }),
                    index + 1 < words.count
                else { continue }
                found.append((relative, String(words[index + 1])))
            }
        }
        return found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    @Test(arguments: allowed.keys.sorted())
    func importsFollowTheGraph(_ module: String) throws {
        let imports = try Self.imports(of: module)
        #expect(!imports.isEmpty || module == "CLua", "no sources found for \(module) under \(Self.sources.path)")
        let allowed = Self.allowed[module] ?? []
        for (file, imported) in imports where Self.batonModules.contains(imported) && !allowed.contains(imported) {
            Issue.record("\(file) imports \(imported), which \(module) may not import (docs/architecture.md)")
        }
    }

    @Test func coreIsPure() throws {
        for (file, imported) in try Self.imports(of: "BatonCore") where imported != "Foundation" {
            Issue.record("\(file) imports \(imported): BatonCore imports Foundation only")
        }
    }

    @Test func theRaftStateMachineImportsNothing() throws {
        for (file, imported) in try Self.imports(of: "BatonRaft") where !file.hasPrefix("BatonRaft/Runtime/") {
            Issue.record("\(file) imports \(imported): the pure Raft files import nothing (Runtime/ may)")
        }
    }

    @Test func noSourceFileIsLongerThan400Lines() throws {
        guard let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil) else { return }
        for case let url as URL in files where url.pathExtension == "swift" {
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let count = lines.last?.isEmpty == true ? lines.count - 1 : lines.count
            #expect(count <= 400, "\(url.lastPathComponent) has \(count) lines")
        }
    }
}
