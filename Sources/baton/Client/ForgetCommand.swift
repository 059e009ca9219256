import ArgumentParser
import BatonClient

/// `baton forget -i host[:port]`: removes an instance from the server's topology; prints the key forgotten.
struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Forget an instance and print its key.",
        discussion: "Exit codes: 0 done, 1 the API answered with an error, 3 no API reachable, 64 usage error.")

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
