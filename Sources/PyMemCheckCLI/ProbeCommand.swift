import ArgumentParser
import Checks
import Foundation
import PyRuntime
import Reports
import Vocabulary

/// `pymemcheck probe`: start a target in a mode (in a child process) and show what is live.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Start a target in an allocator mode and show the allocators in effect.")

    @OptionGroup var target: TargetOption

    @Option(help: "Allocator mode.")
    var mode: AllocatorMode = .default

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let target = try self.target.resolve(toRun: mode)
            let report = try probeInChild(target: target, mode: mode)
            try printDocument(ProbeDocument(report), as: format)
        }
    }

    /// Start-up runs in a child: a target that crashes while starting cannot take pymemcheck down.
    private func probeInChild(target: PythonTarget, mode: AllocatorMode) throws -> ProbeReport {
        let outcome = try IsolatedRun.run(.probe, target: target, mode: mode)
        if let report = IsolatedRun.result(ProbeReport.self, from: outcome) { return report }
        let lastLine = outcome.stderr.split(separator: "\n").last.map { String($0) } ?? ""
        let detail =
            lastLine.hasPrefix("pymemcheck: ")
            ? String(lastLine.dropFirst(12)) : "\(outcome.summary)\(lastLine.isEmpty ? "" : ": \(lastLine)")"
        throw PyMemCheckError.runtime("probe of \(target.id) in mode \(mode.name) failed: \(detail)")
    }
}
