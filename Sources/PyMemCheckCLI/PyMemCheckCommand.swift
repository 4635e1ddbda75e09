import ArgumentParser

/// The pymemcheck command line.
public struct PyMemCheckCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pymemcheck",
        abstract: "Checks that a CPython runtime honours the documented semantics of its memory allocator C API.",
        subcommands: [TargetsCommand.self, ProbeCommand.self, ScenarioCommand.self],
        defaultSubcommand: TargetsCommand.self
    )

    public init() {}
}

/// --python, shared by every command that drives a target.
struct TargetOption: ParsableArguments {
    @Option(name: .customLong("python"),
            help: "A version (3.12, 3.11.7, 3.11d), a libpython*.so, or a python executable. Default: python3 on PATH.")
    var spec: String?
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
