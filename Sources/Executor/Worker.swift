import ClauseCatalogue
import Foundation
import Isolation
import PyRuntime

/// The child side of conformance runs: one warm process per target and mode, started once,
/// answering many clauses read from standard input (one id a line). Before each check it says
/// which clause it starts, so that a crash or hang is laid at the right clause's door.
public enum Worker {
    public static let startMarker = "PYMEMCHECK-START "
    /// An item "control ID" asks for the clause's negative control instead of its check.
    public static let controlPrefix = "control "

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
        for item in ids {
            print(startMarker + item)
            fflush(nil)
            let start = Date()
            let verdict = item.hasPrefix(controlPrefix)
                ? control(String(item.dropFirst(controlPrefix.count)), runtime: runtime, catalogue: catalogue)
                : answer(item, runtime: runtime, catalogue: catalogue)
            ScenarioHost.emit(Answer(clause: item, verdict: verdict, seconds: Date().timeIntervalSince(start)))
        }
    }

    /// How long a check may take under its control (the slowest fork several children); below
    /// the runner's silence limit, so that a hung control is this control's answer.
    static let controlTimeout: Double = ConformanceRunner.silenceLimit - 20

    /// The clause's check with its negative control planted, in a forked child so that the
    /// planted defect dies with it. A child that crashes or hangs has not shown the check
    /// failing: that answer is not-applicable (the control is then unproven), never a fail.
    static func control(_ id: String, runtime: PythonRuntime, catalogue: Catalogue) -> CheckVerdict {
        guard let clause = catalogue.clause(id), let check = ClauseChecks.check(for: id) else {
            return .notApplicable("no clause or no check \(id)")
        }
        guard let control = ClauseControls.control(for: id) else { return .notApplicable("no negative control is implemented for \(id)") }
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: controlTimeout) {
                var context = CheckContext(runtime: runtime, clause: clause)
                control.plant(&context)
                ScenarioHost.emit(check(context))
            }
        } catch {
            return .notApplicable("could not fork for the control: \(error)")
        }
        guard let verdict = IsolatedRun.result(CheckVerdict.self, from: outcome) else {
            let tail = outcome.stderr.split(separator: "\n").suffix(2).joined(separator: " | ")
            return .notApplicable("under its control the check \(outcome.summary) before answering: \(tail)")
        }
        return verdict
    }

    static func answer(_ id: String, runtime: PythonRuntime, catalogue: Catalogue) -> CheckVerdict {
        guard let clause = catalogue.clause(id) else { return .fail("no clause \(id) in the catalogue") }
        guard let check = ClauseChecks.check(for: id) else { return .fail("no check is implemented for \(id)") }
        return check(CheckContext(runtime: runtime, clause: clause))
    }
}
