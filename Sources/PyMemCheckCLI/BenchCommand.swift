import ArgumentParser
import Foundation
import FuzzHarness
import PyRuntime
import Reports
import Vocabulary

/// `pymemcheck bench`: the fuzz harness's speed on one target and mode (figures, no verdict).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the fuzz harness: programs/s and ops/s with the oracle, and against a "
            + "bare replay of the same ops.")

    @OptionGroup var target: TargetOption
    @Option(help: "Allocator mode.") var mode: AllocatorMode = .pymalloc
    @Option(
        parsing: .unconditional, help: "How many programs (1 to 1000000; default: 20000).",
        transform: NumberOption.whole("--programs", 1...1_000_000))
    var programs = 20_000
    @Option(
        name: .customLong("max-ops"), parsing: .unconditional,
        help: "Ops per program at most (1 to 1024; default: 64).",
        transform: NumberOption.whole("--max-ops", 1...1024))
    var maxOps = 64
    @Option(help: "Output format.") var format: OutputFormat = .text
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try reportingErrors {
            let target = try self.target.resolve(toRun: mode)
            let line = progress.line
            line.show("\(target.id) \(mode.name): starting")
            let session = try FuzzSession.start(.init(target: target, mode: mode))
            let inputs = Bench.programs(count: programs, maxOps: maxOps)
            let figures = Bench.run(ProgramRunner(session: session), programs: inputs) { phase in
                line.show("\(target.id) \(mode.name): \(phase), \(inputs.count) programs")
            }
            line.clear()
            try printDocument(BenchDocument(target: target, mode: mode, maxOps: maxOps, figures: figures), as: format)
        }
    }
}
