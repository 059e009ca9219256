import ArgumentParser
import BatonCore

/// `-i host[:port]` and `--default-port`, for subcommands that act on one instance.
struct InstanceOptions: ParsableArguments {
    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("The instance.", valueName: "host[:port]"))
    var instance: String

    @Option(name: .long, help: "The port of an instance given without one.")
    var defaultPort: Int = 3306

    func validate() throws {
        _ = try key()
    }

    /// The instance key of `-i`.
    func key() throws -> InstanceKey {
        try InstanceOptions.parseKey(instance, defaultPort: defaultPort)
    }

    /// Parses `host` or `host:port`, with a usage error that names the option.
    static func parseKey(_ text: String, defaultPort: Int) throws -> InstanceKey {
        guard (1...65535).contains(defaultPort) else {
            throw ValidationError("--default-port \(defaultPort) is not a TCP port (1-65535)")
        }
        guard let key = InstanceKey(parsing: text, defaultPort: defaultPort) else {
            throw ValidationError("-i '\(text)' is not host or host:port with a port in 1-65535")
        }
        return key
    }
}
