import AllocatorLayers
import ArgumentParser
import Certification
import ClauseCatalogue
import Executor
import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import Reports

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

    @Option(name: .customLong("python"), help: "A target; repeat for several. Default: python3 on PATH.")
    var specs: [String] = []

    @Flag(help: "Every target found on this machine.") var all = false

    @Option(name: .customLong("mode"), help: "An allocator mode; repeat for several. Default: default and debug.")
    var modes: [AllocatorMode] = []

    @Option(name: .customLong("fuzz-seconds"), help: "Seconds each fuzz target runs per target and mode.")
    var fuzzSeconds: Double = 3

    @Option(
        help: ArgumentHelp(
            "Only the contract clauses or parts this glob names (a clause id, or one of "
                + CertifyProbe.Part.all.map(\.id).joined(separator: ", ") + "); repeat for several.",
            valueName: "name"))
    var only: [String] = []

    @Option(help: "Where the inputs of fuzz findings are saved, for the replay commands the certificate prints.")
    var findings = "pymemcheck-findings"

    @Option(
        name: .customLong("hang-limit"),
        help: ArgumentHelp(
            "Seconds a worker may say nothing (installing the plugin, starting CPython with it, one check) "
                + "before it counts as hung."))
    var hangLimit: Double = ConformanceRunner.defaultSilenceLimit

    @Option(help: "Output format.") var format: OutputFormat = .text
    @Option(help: "A catalogue folder to use instead of the built-in catalogue (also PYMEMCHECK_CATALOGUE).")
    var catalogue: String?
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if all && !specs.isEmpty { throw ValidationError("give --all or --python, not both") }
        if !(fuzzSeconds >= 0 && fuzzSeconds.isFinite) { throw ValidationError("--fuzz-seconds must be 0 or more") }
        if !(hangLimit >= 1 && hangLimit <= 86_400) {
            throw ValidationError("--hang-limit must be a number of seconds from 1 to 86400")
        }
    }

    func run() throws {
        try reportingErrors {
            _ = try AllocatorPlugin.load(plugin.path) // a bad path or a missing symbol: one line, now
            let targets =
                all
                ? TargetDiscovery.discover().targets
                : try (specs.isEmpty ? [nil] : specs.map { Optional($0) }).map { try TargetSpec.resolve($0) }
            let modes = self.modes.isEmpty ? [AllocatorMode.default, .debug] : self.modes
            let folder = Catalogue.folder(option: catalogue)
            var certifier = Certifier(
                pluginPath: plugin.path, catalogue: try loadCatalogue(folder),
                catalogueFolder: folder, fuzzSeconds: fuzzSeconds,
                executable: try SelfExecutable.path())
            certifier.only = only
            certifier.findingsFolder = findings
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
            try printDocument(certificate, as: format)
            if !certificate.certified { throw ExitCode(1) }
        }
    }
}
