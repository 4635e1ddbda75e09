import ArgumentParser
import Foundation
import Isolation
import PyRuntime

/// The pymemcheck command line.
public struct PyMemCheckCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pymemcheck",
        abstract: "Checks that a CPython runtime honours the documented semantics of its memory allocator C API.",
        discussion: ExitStatus.rule,
        version: PyMemCheckVersion.number,
        subcommands: [
            CheckCommand.self, TargetsCommand.self, ProbeCommand.self, ReplayCommand.self, ExplainCommand.self,
            CorpusCommand.self, BenchCommand.self, CertifyCommand.self, ReproCommand.self, InstallCommand.self,
            ScenarioCommand.self, InspectLibraryCommand.self, FreshStartCommand.self, WorkerCommand.self,
            ReplayWorkerCommand.self,
            CertifyWorkerCommand.self,
        ],
        defaultSubcommand: CheckCommand.self
    )

    public init() {}

    /// The entry point: like ArgumentParser's main(), but a usage error exits with 2, the
    /// project's code for usage and environment errors (ArgumentParser's own is 64).
    public static func runMain() -> Never {
        SelfExecutable.runningIsPymemcheck = true
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                fail(usageLine(brief: message(for: error), full: fullMessage(for: error)), code: 2)
            }
            exit(withError: error)
        }
    }
}
