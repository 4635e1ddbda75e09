import AllocatorLayers
import ArgumentParser
import ClauseCatalogue
import Executor
import Foundation
import FuzzHarness
import PyRuntime

/// `pymemcheck worker`: the child side of `check`. Hidden: pymemcheck runs it in fresh
/// processes of itself, one per target and mode, and feeds it clause ids on standard input.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Answer catalogue clauses read from standard input (used by check).",
        shouldDisplay: false)

    @OptionGroup var target: TargetOption
    @Option var mode: String = "default"
    @Option var catalogue: String
    @Option(help: "A custom allocator plugin to install (certify).") var plugin: String?

    func run() throws {
        try reportingErrors {
            let mode = try AllocatorMode.parse(self.mode)
            let target = try TargetSpec.resolve(self.target.spec)
            let catalogue = try loadCatalogue(self.catalogue)
            var ids: [String] = []
            while let line = readLine() {
                let id = line.trimmingCharacters(in: .whitespaces)
                if !id.isEmpty { ids.append(id) }
            }
            Worker.serve(target: target, mode: mode, catalogue: catalogue, ids: ids, allocators: try plugin.map { path in
                let plugin = try AllocatorPlugin.load(path)
                return Worker.Allocators(install: { try plugin.install(in: $0, mode: mode, debugBuild: target.debugBuild) },
                                         started: { plugin.started($0.library) })
            })
        }
    }
}

/// Loads the catalogue, turning its errors into the one-line form.
func loadCatalogue(_ folder: String?) throws -> Catalogue {
    do {
        return try Catalogue.load(from: try folder ?? Catalogue.defaultFolder())
    } catch let error as CatalogueError {
        throw PyMemCheckError.environment(error.description)
    }
}
