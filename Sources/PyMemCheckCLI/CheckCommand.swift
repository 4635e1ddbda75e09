import ArgumentParser
import Checks
import ClauseCatalogue
import ClauseRunner
import Foundation
import PyRuntime
import Reports
import Results
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// `pymemcheck check`: the catalogue over targets × modes, as a matrix report.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the documented allocator semantics on targets × modes and report the matrix.")

    @OptionGroup var selection: TargetSelection<EveryMode>

    @Option(
        name: .customLong("clause"),
        help: "Only clauses whose id matches this glob (e.g. 'debug.*'); repeat for several.")
    var clauseGlobs: [String] = []

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: "Also write the matrix as JUnit XML to this file (one run, both reports: CI's and yours).")
    var junit: String?

    @Option(
        parsing: .unconditional, help: "How many target processes run at once (1 to 64; default: 2).",
        transform: NumberOption.whole("--jobs", 1...64))
    var jobs: Int = 2

    @Option(help: "A catalogue folder to use instead of the built-in catalogue (also PYMEMCHECK_CATALOGUE).")
    var catalogue: String?

    @Flag(help: "Also run each clause's negative control (one violation planted): it must make the clause fail.")
    var controls = false

    @Flag(help: "Text output: also every result per target and mode, and all of each evidence.")
    var verbose = false

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try reportingErrors {
            let output = try self.output.map { try OutputFile(checking: $0) } // before any work
            let junit = try self.junit.map { try OutputFile(checking: $0) }
            let folder = Catalogue.folder(option: catalogue)
            let catalogue = try loadCatalogue(folder)
            let targets = try selection.targets()
            let clauses = try selectedClauses(catalogue)
            let line = progress.line
            let runner = ConformanceRunner(
                catalogue: catalogue, catalogueFolder: folder, width: jobs,
                progress: line.stepper { "\($0.target) \($0.mode)" })
            let matrix = runner.run(targets: targets, modes: selection.modes, clauses: clauses, controls: controls)
            line.clear()
            try write(ReportRenderer.render(matrix, as: format, verbose: verbose), to: output)
            try junit?.write(ReportRenderer.render(matrix, as: .junit))
            try ExitStatus.conclude(
                failures: matrix.unexpected.count + matrix.unprovenControls.count, unjudged: Self.unjudged(matrix))
        }
    }

    /// Why nothing could be judged, when every result is not applicable (or there is none).
    static func unjudged(_ matrix: Matrix) -> String? {
        guard matrix.judged == 0 else { return nil }
        let reason = matrix.results.first.flatMap { result in
            result.evidence.first.map { " (\(result.target) \(result.mode): \($0))" }
        }
        return "nothing could be judged: no clause applies to the targets and modes chosen\(reason ?? "")"
    }

    private func selectedClauses(_ catalogue: Catalogue) throws -> [Clause] {
        guard !clauseGlobs.isEmpty else { return catalogue.clauses }
        let chosen = catalogue.clauses.filter { clause in clauseGlobs.contains { fnmatch($0, clause.id, 0) == 0 } }
        guard !chosen.isEmpty else {
            throw PyMemCheckError.usage(
                "no clause matches " + "\(clauseGlobs.joined(separator: ", ")); ids look like "
                    + "\(catalogue.clauses.prefix(3).map(\.id).joined(separator: ", "))")
        }
        return chosen
    }

    private func write(_ text: String, to output: OutputFile?) throws {
        guard let output else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        try output.write(text)
    }
}
