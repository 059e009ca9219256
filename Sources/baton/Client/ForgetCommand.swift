import ArgumentParser
import BatonClient
import BatonCore

/// `baton forget -i host[:port]`: removes an instance from the server's topology; prints the key forgotten.
struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Forget an instance and print its key.",
        discussion: ClientExitCode.discussion)

    @OptionGroup var api: APIOptions
    @OptionGroup var target: InstanceOptions

    func run() async throws {
        let key = try target.key()
        try await ClientCommandRunner.run(api) { client in
            let forgotten = try await client.forget(key)
            print(forgotten.description)
        }
    }
}
