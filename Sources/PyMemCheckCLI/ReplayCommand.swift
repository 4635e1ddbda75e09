import AllocatorLayers
import ArgumentParser
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import PyRuntime

/// `pymemcheck replay`: runs inputs (corpus files, findings; text or byte form) on targets and
/// modes with the fuzz targets' own per-input code, and prints the verdict per file.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay op-language inputs (files or folders, text or byte form) and print the verdict per file.")

    @Argument(help: "Input files or folders (Corpus/ replays the whole corpus).")
    var paths: [String]

    @Option(name: .customLong("python"), help: "A target; repeat for several. Default: python3 on PATH.")
    var specs: [String] = []

    @Option(name: .customLong("mode"), help: "An allocator mode; repeat for several. Default: default.")
    var modes: [String] = []

    @Option(name: .customLong("fuzz-target"), help: "fuzz-sequences, fuzz-violations or fuzz-faults. Default: from the file's '# target:' line or its folder.")
    var fuzzTarget: String?

    @Option(help: "Plant a defect: one of \(MutantKind.names).")
    var mutant: String?

    @Option(help: "A custom allocator plugin (shared library, or mutant:NAME) installed as certify does.")
    var plugin: String?

    @Option var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let plugin = try self.plugin.map { path -> String in
                _ = try AllocatorPlugin.load(path)
                return path.hasPrefix("/") || path.hasPrefix("mutant:") ? path : FileManager.default.currentDirectoryPath + "/" + path
            }
            let files = try Replay.expand(paths)
            guard !files.isEmpty else { throw PyMemCheckError.usage("no input files under \(paths.joined(separator: " "))") }
            let targets = try (specs.isEmpty ? [nil] : specs.map { Optional($0) }).map { try TargetSpec.resolve($0) }
            let modes = try (self.modes.isEmpty ? ["default"] : self.modes).map(AllocatorMode.parse)
            let fixed = try fuzzTarget.map(Self.parseFuzzTarget)
            let mutant = try self.mutant.map(Self.parseMutant)
            let executable = try SelfExecutable.path()
            var results: [Replay.Result] = []
            for target in targets {
                for mode in modes {
                    if case .notApplicable(let reason) = target.applicability(of: mode) {
                        results.append(.notApplicable(target: target.id, mode: mode.name, reason: reason))
                        continue
                    }
                    results += Replay.run(files: files, target: target, mode: mode, fuzzTarget: fixed, mutant: mutant, plugin: plugin, executable: executable)
                }
            }
            if format == .json { try printJSON(results) } else { printText(results) }
            if results.contains(where: \.isFailure) { throw ExitCode(1) }
        }
    }

    func printText(_ results: [Replay.Result]) {
        for result in results where result.outcome == "not-applicable" {
            print("\(result.target) \(result.mode): not applicable: \(result.detail ?? "")")
        }
        for result in results where result.outcome != "not-applicable" {
            let note = result.verdict?.note.map { " (\($0))" } ?? result.detail.map { ": \($0)" } ?? ""
            print("\(result.target) \(result.mode) \(result.file) [\(result.fuzzTarget)]: \(result.outcome)\(note)")
            result.verdict?.findings.forEach { print("    \($0)") }
        }
        let failures = results.filter(\.isFailure).count
        let replays = results.filter { $0.outcome != "not-applicable" }.count
        print("\(replays) replays, \(failures) with a finding or a crash")
    }

    static func parseFuzzTarget(_ name: String) throws -> FuzzTarget {
        guard let target = FuzzTarget(rawValue: name) else {
            throw PyMemCheckError.usage("unknown fuzz target '\(name)'; one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }

    static func parseMutant(_ name: String) throws -> MutantKind {
        try MutantKind(name: name)
    }
}

/// `pymemcheck replay-worker`: the child side of replay (hidden). The target and mode come from
/// the options; the mutant from PYMEMCHECK_MUTANT; file paths from standard input.
struct ReplayWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay-worker", abstract: "Replay files read from standard input (used by replay).", shouldDisplay: false)

    @OptionGroup var target: TargetOption
    @Option var mode: String = "default"
    @Option(name: .customLong("fuzz-target")) var fuzzTarget: String?

    func run() throws {
        try reportingErrors {
            let mode = try AllocatorMode.parse(self.mode)
            setenv("PYMEMCHECK_PYTHON", try TargetSpec.resolve(target.spec).libraryPath, 1)
            setenv("PYMEMCHECK_MODE", mode.name, 1)
            Replay.serve(fuzzTarget: try fuzzTarget.map(ReplayCommand.parseFuzzTarget))
        }
    }
}

/// `pymemcheck explain`: an input in its readable text form.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Print op-language inputs (byte or text form) as text, one op per line.")

    @Argument(help: "Input files.") var files: [String]

    func run() throws {
        try reportingErrors {
            for file in files {
                do {
                    let program = try OpInput.load(path: file)
                    if files.count > 1 { print("# \(file)") }
                    print(TextForm.render(program), terminator: "")
                } catch {
                    throw PyMemCheckError.usage("\(error)")
                }
            }
        }
    }
}
