import ArgumentParser
import Executor
import Foundation
import PyRuntime

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
            switch format {
            case .json: try printJSON(report)
            case .text: print(ProbeText.render(report), terminator: "")
            }
        }
    }

    /// Start-up runs in a child: a target that crashes while starting cannot take pymemcheck down.
    private func probeInChild(target: PythonTarget, mode: AllocatorMode) throws -> ProbeReport {
        let outcome = try IsolatedRun.run(.probe, target: target, mode: mode)
        if let report = IsolatedRun.result(ProbeReport.self, from: outcome) { return report }
        let lastLine = outcome.stderr.split(separator: "\n").last.map { String($0) } ?? ""
        let detail = lastLine.hasPrefix("pymemcheck: ") ? String(lastLine.dropFirst(12)) : "\(outcome.summary)\(lastLine.isEmpty ? "" : ": \(lastLine)")"
        throw PyMemCheckError.runtime("probe of \(target.id) in mode \(mode.name) failed: \(detail)")
    }
}

enum ProbeText {
    static func render(_ report: ProbeReport) -> String {
        let target = report.target
        var lines = [
            "target:        \(target.id) (\(target.debugBuild ? "debug" : "release") build, \(target.origin.rawValue)) \(target.libraryPath)",
            "version:       \(target.versionString.split(separator: "\n").joined(separator: " "))",
            "mode:          \(report.mode)",
            "in effect:     \(report.modeInEffect)\(report.allocatorName == nil ? " (observed; this version reports no allocator name)" : "")",
            "debug hooks:   \(report.debugHooksOn ? "on" : "off") (" + ["raw", "mem", "obj"].map { "\($0) \(report.debugHooks[$0] == true ? "on" : "off")" }.joined(separator: ", ") + ")",
            "arenas:        \(report.arenaSize.map { "pymalloc arenas of \(byteSize($0))" } ?? "none requested (pymalloc not in use)")",
            "blocks:",
        ]
        for block in report.blocks {
            var line = "  \(block.domain.padding(toLength: 3, withPad: " ", startingAt: 0)) \(String(block.requested).padding(toLength: 4, withPad: " ", startingAt: 0)) bytes at \(block.address)"
            if let layout = block.debugLayout {
                line += ": size \(layout.headerSize), API '\(layout.apiID)', lead \(hex(layout.leadingPad)), tail \(hex(layout.trailingPad)), data \(hex(layout.firstBytes))"
            } else {
                line += ": no debug layout"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func byteSize(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : bytes % 1024 == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
    }
}
