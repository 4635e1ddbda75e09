import AllocatorLayers
import ArgumentParser
import Certification
import Checks
import ClauseCatalogue
import ClauseRunner
import Foundation
import FuzzHarness
import Isolation
import PyRuntime
import Reports
import Results
import Vocabulary

// The worker entry points: hidden subcommands that pymemcheck runs in fresh processes of
// itself. They take no options: everything comes in the request on standard input
// (WorkerChannel), and the answers go to standard output.

/// `pymemcheck worker`: the child side of `check` (and of certify's clauses), one per target and mode.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Worker.subcommand,
        abstract: "Answer the catalogue clauses requested on standard input (used by check).",
        shouldDisplay: false)

    func run() throws {
        WorkerService.serve(Worker.Request.self, response: Worker.Answer.self) { setup in
            let target = try TargetSpec.resolve(setup.target)
            let catalogue = try loadCatalogue(setup.catalogue)
            let allocators = try setup.plugin.map { try Self.allocators(plugin: $0, target: target, mode: setup.mode) }
            return try Worker.prepare(target: target, mode: setup.mode, catalogue: catalogue, allocators: allocators)
        }
    }

    /// A plugin to certify as the worker's allocators, each step of its installation said first.
    static func allocators(plugin path: String, target: PythonTarget, mode: AllocatorMode) throws -> Worker.Allocators
    {
        let plugin = try AllocatorPlugin.load(path)
        return Worker.Allocators(
            install: { library in
                try plugin.install(
                    in: library, mode: mode, debugBuild: target.debugBuild,
                    announce: WorkerService.preparing)
            },
            started: { plugin.started($0.library) })
    }
}

/// `pymemcheck replay-worker`: the child side of `replay`, one per target and mode.
struct ReplayWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Replay.subcommand, abstract: "Replay the files requested on standard input (used by replay).",
        shouldDisplay: false)

    func run() throws {
        WorkerService.serve(Replay.Request.self, response: ReplayEntry.self, prepare: Replay.prepare)
    }
}

/// `pymemcheck certify-worker`: the parts of a certification that are not clauses, one per target and mode.
struct CertifyWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CertifyProbe.subcommand,
        abstract: "Certify a plugin on the target and mode requested (used by certify).",
        shouldDisplay: false)

    func run() throws {
        WorkerService.serve(CertifyProbe.Request.self, response: CertifyItem.self, prepare: CertifyProbe.prepare)
    }
}

/// Loads the catalogue of `folder` (nil: the built-in one), its errors in the one-line form.
func loadCatalogue(_ folder: String?) throws -> Catalogue {
    do {
        return try Catalogue.load(folder: folder)
    } catch let error as CatalogueError {
        throw PyMemCheckError.environment(error.description)
    }
}

/// `pymemcheck inspect-library PATH`: what a library is, said as JSON by a pymemcheck started
/// on the library's own C library (a Debian root's), where the parent cannot dlopen it.
struct InspectLibraryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: LibraryInspector.subcommand,
        abstract: "Print what a libpython is, as JSON (used to inspect a target on its own C library).",
        shouldDisplay: false)

    @Argument var library: String

    func run() throws {
        try reportingErrors {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(try TargetSpec.resolve(library))
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// `pymemcheck fresh-start REQUEST`: a runtime started afresh as the JSON request asks, what it
/// did said a line at a time (FreshStart), for the clauses about start-up itself.
struct FreshStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: FreshStart.subcommand,
        abstract: "Start a runtime with the allocators a JSON request asks for (used by start-up clauses).",
        shouldDisplay: false)

    @Argument var request: String

    func run() throws {
        try reportingErrors {
            guard let request = try? JSONDecoder().decode(FreshStart.Request.self, from: Data(request.utf8)) else {
                throw PyMemCheckError.usage("fresh-start takes a JSON request as pymemcheck itself writes it")
            }
            try FreshStart.serve(request)
        }
    }
}
