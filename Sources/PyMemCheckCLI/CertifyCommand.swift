import AllocatorLayers
import ArgumentParser
import Certification
import ClauseCatalogue
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

    @Option(
        name: .customLong("fuzz-seconds"), parsing: .unconditional,
        help: "Seconds each fuzz target runs per target and mode (0 to 86400; default: 3).",
        transform: NumberOption.seconds("--fuzz-seconds", 0...86_400))
    var fuzzSeconds: Double = 3

    @Option(help: "Output format.") var format: OutputFormat = .text
    @Option(help: "Write the certificate to this file instead of standard output.")
    var output: String?
    @Option(help: "A catalogue folder to use instead of the built-in catalogue (also PYMEMCHECK_CATALOGUE).")
    var catalogue: String?
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if all && !specs.isEmpty { throw ValidationError("give --all or --python, not both") }
    }

    func run() throws {
        try reportingErrors {
            let output = try self.output.map { try OutputFile(checking: $0) } // before any work
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
            let line = progress.line
            line.show("certifying on \(targets.count) target(s) × \(modes.count) mode(s)")
            certifier.progress = line.stepper { "\($0) done" }
            let certificate = certifier.run(targets: targets, modes: modes)
            line.clear()
            try printDocument(certificate, as: format, to: output)
            if !certificate.certified { throw ExitCode(1) }
        }
    }
}
