import ArgumentParser
import BatonCore
import Foundation

/// `baton analyze --snapshot FILE`: failure analysis of a saved topology (a JSON array of Instance objects as
/// `GET /api/all-instances` returns them), without a server. See docs/analyze.md.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse a saved topology snapshot offline, as replication-analysis would.",
        discussion: """
            FILE is a JSON array of Instance objects as GET /api/all-instances returns them \
            (curl -s $BATON_API/api/all-instances > snap.json); "-" reads standard input. \
            Prints one line per instance with a problem or a structure warning, "host:port (cluster NAME): Code, \
            Warning, ...", sorted by instance key; nothing when all is well. \
            \(AnalyzeExitCode.discussion)
            """)

    @Option(name: .long, help: ArgumentHelp("The snapshot file, or - for standard input.", valueName: "FILE"))
    var snapshot: String

    @Flag(name: .long, help: "Also list rows that downtime makes skippable.")
    var includeDowntimed = false

    @Flag(name: .long, help: "Print the full ReplicationAnalysis array (every row) as JSON.")
    var json = false

    func run() throws {
        let data: Data
        do {
            data = try Self.read(snapshot)
        } catch {
            Self.fail("cannot read the snapshot \(snapshot == "-" ? "from standard input" : snapshot): \(error)")
            throw AnalyzeExitCode.noInput
        }
        do {
            let output = try OfflineAnalysis.run(
                snapshotJSON: data, includeDowntimed: includeDowntimed, json: json, now: Date())
            FileHandle.standardOutput.write(Data(output.utf8))
        } catch {
            Self.fail(snapshot == "-" ? error.message : "\(snapshot): \(error.message)")
            throw AnalyzeExitCode.badSnapshot
        }
    }

    /// The file's contents; for an unreadable file, an error whose description is the system's reason.
    static func read(_ path: String) throws(ReadError) -> Data {
        do {
            if path == "-" { return try FileHandle.standardInput.readToEnd() ?? Data() }
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            // Foundation wraps the system's error ("No such file or directory") in a Cocoa error.
            if let cause = (error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error,
                (cause as NSError).domain == NSPOSIXErrorDomain
            {
                throw ReadError(reason: String(cString: strerror(Int32((cause as NSError).code))))
            }
            throw ReadError(reason: (error as NSError).localizedDescription)
        }
    }

    struct ReadError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Writes `baton: <message>` and a newline to stderr.
    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("baton: \(message)\n".utf8))
    }
}
