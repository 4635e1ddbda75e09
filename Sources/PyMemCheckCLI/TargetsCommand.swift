import ArgumentParser
import PyRuntime
import Reports

/// `pymemcheck targets`: the CPython runtimes found here and the modes each can run.
struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the CPython runtimes found on this machine and the allocator modes each supports.")

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            try printDocument(TargetsDocument(TargetDiscovery.discover()), as: format)
        }
    }
}
