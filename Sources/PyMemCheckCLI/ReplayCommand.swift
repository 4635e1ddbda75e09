import AllocatorLayers
import ArgumentParser
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import PyRuntime
import Reports
import Results
import Vocabulary

/// `pymemcheck replay`: runs inputs (corpus files, findings; text or byte form) on targets and
/// modes with the fuzz targets' own per-input code, and prints the verdict per file.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay op-language inputs (files or folders, text or byte form) and print the verdict per file.")

    @Argument(help: "Input files or folders (Corpus/ replays the whole corpus).")
    var paths: [String]

    @OptionGroup var selection: TargetSelection<DefaultModeOnly>

    @Option(
        name: .customLong("fuzz-target"),
        help: "The fuzz target that runs each input. Default: the file's '# target:' line, else its folder.")
    var fuzzTarget: FuzzTarget?

    @Option(help: "Plant a defect in a hook over the real allocator.")
    var mutant: MutantKind?

    @Option(
        help: PluginChoice.help(
            "A custom allocator plugin (shared library, or mutant:NAME)"
                + " installed as certify does"),
        transform: PluginChoice.parse)
    var plugin: PluginChoice?

    @Option(help: "Output format.") var format: OutputFormat = .text
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try reportingErrors {
            if let plugin { _ = try AllocatorPlugin.load(plugin.path) }
            let files = try Replay.expand(paths)
            guard !files.isEmpty else {
                throw PyMemCheckError.usage("no input files under \(paths.joined(separator: " "))")
            }
            let targets = try selection.targets()
            let modes = selection.modes
            let executable = try SelfExecutable.path()
            let line = progress.line
            var results: [ReplayEntry] = []
            for (index, (target, mode)) in targets.flatMap({ target in modes.map { (target, $0) } }).enumerated() {
                if case .notApplicable(let reason) = target.applicability(of: mode) {
                    results.append(.notApplicable(target: target.id, mode: mode.name, reason: reason))
                    continue
                }
                line.step(index, of: targets.count * modes.count, "\(target.id) \(mode.name): \(files.count) input(s)")
                results += Replay.run(
                    files: files, target: target, mode: mode, fuzzTarget: fuzzTarget, mutant: mutant,
                    plugin: plugin?.path, executable: executable)
            }
            line.clear()
            let document = ReplayDocument(results: results)
            try printDocument(document, as: format)
            try ExitStatus.conclude(failures: document.failures, unjudged: Self.unjudged(document))
        }
    }

    /// What could not be judged: unreadable inputs (the first named), or every target and mode
    /// not applicable.
    static func unjudged(_ document: ReplayDocument) -> String? {
        if let first = document.results.first(where: { $0.outcome == .unreadable }) {
            return "\(document.unreadable) input(s) unreadable, nothing judged of them: \(first.detail ?? first.file)"
        }
        guard document.judged == 0 else { return nil }
        let reason = document.results.first?.detail.map { " (\($0))" } ?? ""
        return "nothing could be judged: no target runs the modes chosen\(reason)"
    }
}

/// `pymemcheck explain`: an input in its readable text form.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Print op-language inputs (byte or text form) as text, one op per line.")

    @Argument(help: "Input files.") var files: [String]

    func run() throws {
        try reportingErrors {
            for file in files {
                let program = try usageErrors { try OpInput.load(checking: file) }
                if files.count > 1 { print("# \(file)") }
                print(TextForm.render(program), terminator: "")
            }
        }
    }
}
