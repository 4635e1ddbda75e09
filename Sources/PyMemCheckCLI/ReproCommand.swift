import ArgumentParser
import Foundation
import FuzzHarness
import OpLanguage
import PyRuntime
import Reproducer
import Vocabulary

/// `pymemcheck repro`: an input as a standalone C program.
struct ReproCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repro",
        abstract: "Turn an input (corpus file, finding) into a standalone C reproducer for a target and mode.")

    @Argument(help: "The input, in the byte or the text form.") var input: String
    @OptionGroup var target: TargetOption
    @Option(help: "Allocator mode.") var mode: AllocatorMode = .default
    @Option(
        help: ArgumentHelp(
            "A custom allocator plugin (shared library) to install as certify does.",
            valueName: "path"),
        transform: PluginChoice.parse)
    var plugin: PluginChoice?
    @Option(
        name: .customLong("fuzz-target"),
        help: "The fuzz target the input is for. Default: the file's '# target:' line, else its folder.")
    var fuzzTarget: FuzzTarget?
    @Option(name: .shortAndLong, help: "Where to write the C file (default: standard output).") var output: String?

    func validate() throws {
        if plugin?.isMutant == true {
            throw ValidationError("mutants are built into pymemcheck; a reproducer needs a plugin shared library")
        }
    }

    func run() throws {
        try reportingErrors {
            let output = try self.output.map { try OutputFile(checking: $0, option: "-o") } // before any work
            let program = try usageErrors { try OpInput.load(checking: input) }
            let target = try TargetSpec.resolve(self.target.spec)
            let code: String
            do {
                let fuzzTarget = Replay.fuzzTarget(
                    of: input, bytes: try? InputFile.read(input, as: .opInput), default: fuzzTarget)
                code = try Reproducer.generate(
                    program, source: input, target: target, mode: mode, plugin: plugin?.path,
                    selection: fuzzTarget == .violations ? .legalPrefixAndFirstViolation : .legalOps,
                    hostile: fuzzTarget.hostile)
            } catch let error as Reproducer.Unsupported {
                throw PyMemCheckError.usage(error.description)
            }
            guard let output else { return print(code, terminator: "") }
            try output.write(code)
            let build = Reproducer.compileCommand(target: target, source: output.path)
            FileHandle.standardError.write(Data("wrote \(output.path); build it with:\n  \(build)\n".utf8))
        }
    }
}
