import ArgumentParser
import Foundation
import FuzzHarness
import PyRuntime
import Reports

/// `pymemcheck bench`: the fuzz harness's speed on one target and mode (figures, no verdict).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the fuzz harness: programs/s and ops/s with the oracle, and against a bare replay of the same ops.")

    @OptionGroup var target: TargetOption
    @Option var mode: String = "pymalloc"
    @Option(help: "How many programs.") var programs = 20_000
    @Option(name: .customLong("max-ops"), help: "Ops per program at most.") var maxOps = 64
    @Option var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let mode = try AllocatorMode.parse(self.mode)
            let target = try TargetSpec.resolve(self.target.spec)
            if case .notApplicable(let reason) = target.applicability(of: mode) {
                throw PyMemCheckError.notApplicable("\(target.id) cannot run mode \(mode.name): \(reason)")
            }
            let session = try FuzzSession.start(.init(target: target, mode: mode))
            let figures = Bench.run(ProgramRunner(session: session), programs: Bench.programs(count: programs, maxOps: maxOps))
            try printDocument(BenchDocument(target: target, mode: mode, maxOps: maxOps, figures: figures), as: format)
        }
    }
}
