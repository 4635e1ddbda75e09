import AllocatorLayers
import ArgumentParser
import Certification
import ClauseCatalogue
import ClauseRunner
import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import Reports
import Vocabulary

/// `pymemcheck certify`: a custom allocator plugin against the documented contract.
struct CertifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify",
        abstract: "Certify a custom allocator plugin (or mutant:NAME) against the documented allocator contract.")

    @Option(
        help: PluginChoice.help(
            "A shared library exporting pymemcheck_allocator (pymemcheck_plugin.h), "
                + "or mutant:NAME"),
        transform: PluginChoice.parse)
    var plugin: PluginChoice

    @OptionGroup var selection: TargetSelection<DefaultAndDebug>

    @Option(
        name: .customLong("fuzz-seconds"), parsing: .unconditional,
        help: "Seconds each fuzz target runs per target and mode (0 to 86400; default: 3).",
        transform: NumberOption.seconds("--fuzz-seconds", 0...86_400))
    var fuzzSeconds: Double = 3

    @Option(
        help: ArgumentHelp(
            "Only the contract clauses or parts this glob names (a clause id, or one of "
                + CertifyProbe.Part.all.map(\.id).joined(separator: ", ") + "); repeat for several.",
            valueName: "name"))
    var only: [String] = []

    @Option(
        help: ArgumentHelp(
            "Where the inputs of fuzz findings are saved, for the replay commands the certificate prints. "
                + "Default: pymemcheck-findings beside --output, else in the current folder."))
    var findings: String?

    @Option(
        name: .customLong("hang-limit"),
        help: ArgumentHelp(
            "Seconds a worker may say nothing (installing the plugin, starting CPython with it, one check) "
                + "before it counts as hung."))
    var hangLimit: Double = ConformanceRunner.defaultSilenceLimit

    @Option(help: "Output format.") var format: OutputFormat = .text
    @Option(help: "Write the certificate to this file instead of standard output.")
    var output: String?
    @Option(help: "A catalogue folder to use instead of the built-in catalogue (also PYMEMCHECK_CATALOGUE).")
    var catalogue: String?
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if !(hangLimit >= 1 && hangLimit <= 86_400) {
            throw ValidationError("--hang-limit must be a number of seconds from 1 to 86400")
        }
    }

    func run() throws {
        try reportingErrors {
            let output = try self.output.map { try OutputFile(checking: $0) } // before any work
            _ = try AllocatorPlugin.load(plugin.path) // a bad path or a missing symbol: one line, now
            let targets = try selection.targets()
            let modes = selection.modes
            let folder = Catalogue.folder(option: catalogue)
            var certifier = Certifier(
                pluginPath: plugin.path, catalogue: try loadCatalogue(folder),
                catalogueFolder: folder, fuzzSeconds: fuzzSeconds,
                executable: try SelfExecutable.path())
            certifier.only = only
            certifier.findingsFolder =
                findings
                ?? URL(fileURLWithPath: self.output ?? "certificate").deletingLastPathComponent()
                .appendingPathComponent("pymemcheck-findings").path
            certifier.hangLimit = hangLimit
            if !only.isEmpty && certifier.selectedClauses.isEmpty && certifier.selectedParts.isEmpty {
                throw PyMemCheckError.usage(
                    "--only \(only.joined(separator: " ")) names no contract clause and no part; parts are "
                        + CertifyProbe.Part.all.map(\.id).joined(separator: ", "))
            }
            let line = progress.line
            line.show("certifying on \(targets.count) target(s) × \(modes.count) mode(s)")
            certifier.progress = line.stepper { "\($0) done" }
            let certificate = certifier.run(targets: targets, modes: modes)
            line.clear()
            try printDocument(certificate, as: format, to: output)
            try ExitStatus.conclude(
                failures: certificate.failures,
                unjudged: certificate.judged
                    ? nil : "nothing could be judged: \(certificate.notApplicable.joined(separator: "; "))")
        }
    }
}
