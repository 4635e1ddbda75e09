import Checks
import ClauseCatalogue
import Foundation
import Isolation
import NegativeControls
import PyRuntime
import Vocabulary

/// The child side of conformance runs: one warm process per target and mode, started once,
/// answering many clauses (the protocol: WorkerChannel; the parent: WorkerPool).
public enum Worker {
    public static let subcommand = "worker"

    /// Everything a worker runs with.
    public struct Setup: Codable, Sendable {
        /// The target's library path.
        public var target: String
        public var mode: AllocatorMode
        /// The catalogue folder; nil for the built-in catalogue.
        public var catalogue: String?
        /// A custom allocator plugin installed before initialisation (certify).
        public var plugin: String?
    }

    /// A clause's check, or (`control`) the check with the clause's negative control planted.
    public struct Item: Codable, Sendable, Hashable {
        public var clause: String
        public var control: Bool

        public init(clause: String, control: Bool) {
            self.clause = clause
            self.control = control
        }
    }

    /// One item's answer.
    public struct Answer: Codable, Sendable {
        public var verdict: CheckVerdict
        public var seconds: Double
    }

    public typealias Request = WorkerRequest<Setup, Item>

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

    /// The set-up step after the allocators are installed: CPython's initialisation over them.
    public static let startingOverAllocators = "starting the target over the plugin's allocators"

    /// Starts the target in the mode (with `allocators` in the chain) and returns the work per item.
    public static func prepare(
        target: PythonTarget, mode: AllocatorMode, catalogue: Catalogue,
        allocators: Allocators? = nil
    ) throws -> (Item) -> Answer {
        let runtime = try PythonRuntime.start(target: target, mode: mode, verifyMode: allocators == nil) { library in
            guard let allocators else { return }
            try allocators.install(library)
            WorkerService.preparing(startingOverAllocators)
        }
        allocators?.started(runtime)
        return { item in
            let start = Date()
            let verdict =
                item.control
                ? control(item.clause, runtime: runtime, catalogue: catalogue)
                : answer(item.clause, runtime: runtime, catalogue: catalogue)
            return Answer(verdict: verdict, seconds: Date().timeIntervalSince(start))
        }
    }

    /// How long a check may take under its control (the slowest fork several children); below
    /// the runner's silence limit, so that a hung control is this control's answer.
    static let controlTimeout: Double = ConformanceRunner.defaultSilenceLimit - 20

    /// The clause's check with its negative control planted, in a forked child so that the
    /// planted defect dies with it. A child that crashes or hangs has not shown the check
    /// failing: that answer is not-applicable (the control is then unproven), never a fail.
    static func control(_ id: String, runtime: PythonRuntime, catalogue: Catalogue) -> CheckVerdict {
        guard let clause = catalogue.clause(id), let check = ClauseRegistry.check(for: id) else {
            return .notApplicable("no clause or no check \(id)")
        }
        guard let control = ClauseRegistry.control(for: id) else {
            return .notApplicable("no negative control is implemented for \(id)")
        }
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: controlTimeout) {
                var context = CheckContext(runtime: runtime, clause: clause)
                control.plant(&context)
                WorkerChannel.send(check(context))
            }
        } catch {
            return .notApplicable("could not fork for the control: \(error)")
        }
        guard let verdict = WorkerChannel.messages(CheckVerdict.self, in: outcome.stdout).last else {
            let tail = WorkerFailure.colonTail(outcome, lines: 2)
            return .notApplicable("under its control the check \(outcome.summary) before answering\(tail)")
        }
        return verdict
    }

    static func answer(_ id: String, runtime: PythonRuntime, catalogue: Catalogue) -> CheckVerdict {
        guard let clause = catalogue.clause(id) else { return .fail("no clause \(id) in the catalogue") }
        guard let check = ClauseRegistry.check(for: id) else { return .fail("no check is implemented for \(id)") }
        return check(CheckContext(runtime: runtime, clause: clause))
    }
}
