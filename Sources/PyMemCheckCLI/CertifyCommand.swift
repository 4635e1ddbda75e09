import AllocatorLayers
import ArgumentParser
import Certification
import ClauseCatalogue
import Foundation
import FuzzHarness
import Isolation
import PyRuntime

/// `pymemcheck certify`: a custom allocator plugin against the documented contract.
struct CertifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify",
        abstract: "Certify a custom allocator plugin (or mutant:NAME) against the documented allocator contract.")

    @Option(help: "A shared library exporting pymemcheck_allocator (pymemcheck_plugin.h), or mutant:NAME.")
    var plugin: String

    @Option(name: .customLong("python"), help: "A target; repeat for several. Default: python3 on PATH.")
    var specs: [String] = []

    @Flag(help: "Every target found on this machine.") var all = false

    @Option(name: .customLong("mode"), help: "An allocator mode; repeat for several. Default: default and debug.")
    var modes: [String] = []

    @Option(name: .customLong("fuzz-seconds"), help: "Seconds each fuzz target runs per target and mode.")
    var fuzzSeconds: Double = 3

    @Option var format: OutputFormat = .text
    @Option(help: "The catalogue folder (default: Conformance/ of the package).") var catalogue: String?

    func run() throws {
        try reportingErrors {
            if all && !specs.isEmpty { throw PyMemCheckError.usage("give --all or --python, not both") }
            _ = try AllocatorPlugin.load(plugin)  // a bad path or a missing symbol: one line, now
            let targets = all ? TargetDiscovery.discover().targets
                : try (specs.isEmpty ? [nil] : specs.map { Optional($0) }).map { try TargetSpec.resolve($0) }
            let modes = try (self.modes.isEmpty ? ["default", "debug"] : self.modes).map(AllocatorMode.parse)
            let folder = try self.catalogue ?? catalogueFolder()
            let certifier = Certifier(pluginPath: plugin.hasPrefix("mutant:") ? plugin : absolute(plugin),
                                      catalogue: try loadCatalogue(folder), catalogueFolder: folder,
                                      fuzzSeconds: fuzzSeconds, executable: try SelfExecutable.path())
            let certificate = certifier.run(targets: targets, modes: modes)
            if format == .json { try printJSON(certificate) } else { print(certificate.text(), terminator: "") }
            if !certificate.certified { throw ExitCode(1) }
        }
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// `pymemcheck certify-worker` (hidden): the parts of a certification that are not clauses.
struct CertifyWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "certify-worker", abstract: "Certify a plugin on one target and mode (used by certify).", shouldDisplay: false)

    @OptionGroup var target: TargetOption
    @Option var mode: String = "default"
    @Option var plugin: String
    @Option(name: .customLong("fuzz-seconds")) var fuzzSeconds: Double = 3

    func run() throws {
        try reportingErrors {
            CertifyProbe.serve(target: try TargetSpec.resolve(target.spec), mode: try AllocatorMode.parse(mode),
                               pluginPath: plugin, fuzzSeconds: fuzzSeconds)
        }
    }
}

/// The default catalogue folder, its error in the one-line form.
func catalogueFolder() throws -> String {
    do { return try Catalogue.defaultFolder() } catch let error as CatalogueError { throw PyMemCheckError.environment(error.description) }
}
