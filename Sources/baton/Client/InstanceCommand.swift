import ArgumentParser
import BatonClient
import Foundation

/// `baton instance -i host[:port]`: prints the server's view of an instance as pretty-printed JSON.
struct InstanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instance",
        abstract: "Print an instance as JSON.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            let instance = try await client.instance(key)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(instance), as: UTF8.self))
        }
    }
}
