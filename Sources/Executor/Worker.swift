import ClauseCatalogue
import Foundation
import PyRuntime

/// The child side of conformance runs: one warm process per target and mode, started once,
/// answering many clauses read from standard input (one id a line). Before each check it says
/// which clause it starts, so that a crash or hang is laid at the right clause's door.
public enum Worker {
    public static let startMarker = "PYMEMCHECK-START "

    /// One clause's answer as the worker prints it.
    public struct Answer: Codable, Sendable {
        public var clause: String
        public var verdict: CheckVerdict
        public var seconds: Double
    }

    /// Printed instead of answers when the target cannot start in the mode.
    public struct StartupFailure: Codable, Sendable {
        public var startup: String
    }

    /// What a worker puts into the allocator chain (a plugin to certify): installed between
    /// pre-initialisation and initialisation, and told when the runtime is up.
    public struct Allocators {
        public var install: (PythonLibrary) throws -> Void
        public var started: (PythonRuntime) -> Void
        public init(install: @escaping (PythonLibrary) throws -> Void, started: @escaping (PythonRuntime) -> Void) {
            self.install = install
            self.started = started
        }
    }

    public static func serve(target: PythonTarget, mode: AllocatorMode, catalogue: Catalogue, ids: [String], allocators: Allocators? = nil) {
        let runtime: PythonRuntime
        do {
            runtime = try PythonRuntime.start(target: target, mode: mode, verifyMode: allocators == nil) { library in
                try allocators?.install(library)
            }
            allocators?.started(runtime)
        } catch {
            ScenarioHost.emit(StartupFailure(startup: "\(error)"))
            return
        }
        for id in ids {
            print(startMarker + id)
            fflush(nil)
            let start = Date()
            let verdict = answer(id, runtime: runtime, catalogue: catalogue)
            ScenarioHost.emit(Answer(clause: id, verdict: verdict, seconds: Date().timeIntervalSince(start)))
        }
    }

    static func answer(_ id: String, runtime: PythonRuntime, catalogue: Catalogue) -> CheckVerdict {
        guard let clause = catalogue.clause(id) else { return .fail("no clause \(id) in the catalogue") }
        guard let check = ClauseChecks.check(for: id) else { return .fail("no check is implemented for \(id)") }
        return check(CheckContext(runtime: runtime, clause: clause))
    }
}
