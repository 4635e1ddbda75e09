import FuzzHarness
import PyRuntime
import Reports

// The fuzz harness's results as the Reports documents that render them (Reports cannot depend
// on FuzzHarness, which writes its verdicts in Reports' form: the mapping lives here).

extension ReplayDocument.Entry {
    init(_ result: Replay.Result) {
        self.init(
            file: result.file, fuzzTarget: result.fuzzTarget, target: result.target, mode: result.mode,
            outcome: result.outcome, verdict: result.verdict, detail: result.detail, signal: result.signal,
            detectedBy: result.detectedBy)
    }
}

extension BenchDocument {
    init(target: PythonTarget, mode: AllocatorMode, maxOps: Int, figures: Bench.Figures) {
        self.init(
            target: target.id, mode: mode.name, programs: figures.programs, ops: figures.ops, maxOps: maxOps,
            secondsWithOracle: figures.secondsWithOracle, secondsBare: figures.secondsBare)
    }
}

/// A document in the format asked for: its text, or its JSON.
func printDocument(_ document: some ReadableDocument, as format: OutputFormat) throws {
    print(try document.rendered(asJSON: format == .json), terminator: "")
}
