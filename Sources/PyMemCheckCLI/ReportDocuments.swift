import FuzzHarness
import PyRuntime
import Reports
import Vocabulary

// The fuzz harness's bench figures as the Reports document that renders them (Reports cannot
// depend on FuzzHarness: the mapping lives here).

extension BenchDocument {
    init(target: PythonTarget, mode: AllocatorMode, maxOps: Int, figures: Bench.Figures) {
        self.init(
            target: target.id, mode: mode.name, programs: figures.programs, ops: figures.ops, maxOps: maxOps,
            secondsWithOracle: figures.secondsWithOracle, secondsBare: figures.secondsBare)
    }
}

/// A document in the format asked for, its text or its JSON, on standard output or in `output`.
func printDocument(_ document: some ReadableDocument, as format: OutputFormat, to output: OutputFile? = nil) throws {
    let text = try document.rendered(asJSON: format == .json)
    guard let output else { return print(text, terminator: "") }
    try output.write(text)
}
