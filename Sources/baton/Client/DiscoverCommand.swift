import ArgumentParser
import BatonClient
import BatonCore

/// `baton discover -i host[:port]`: asks the server to probe an instance now; prints its key as `host:port`.
struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Discover an instance now and print its key.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            let instance = try await client.discover(key)
            print(instance.key.description)
        }
    }
}
