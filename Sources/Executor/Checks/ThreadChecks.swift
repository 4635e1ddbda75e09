import CPythonABI
import Foundation
import Isolation
import PyRuntime

/// The GIL and threads: RAW is callable without the GIL from any thread; MEM and OBJ from any
/// thread that holds it.
public enum ThreadChecks {
    static let threads = 4
    static let rounds = 2000

    /// Several threads with no thread state call the RAW functions at once while the main thread
    /// has released the GIL: every block is non-NULL, private to its thread, and intact.
    public static func rawWithoutGILFromThreads(_ context: CheckContext) -> CheckVerdict {
        let raw = context.library.raw
        let problems = context.runtime.withoutGIL {
            concurrently(threads) { thread in churn(raw, thread: thread) }
        }
        return verdict(problems, rounds: rounds)
    }

    /// MEM and OBJ from other threads, each taking the GIL with PyGILState_Ensure.
    public static func gilHoldersFromThreads(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        let domains = context.domains
        let problems = context.runtime.withoutGIL {
            concurrently(threads) { thread -> String? in
                let state = library.gilStateEnsure()
                defer { library.gilStateRelease(state) }
                return domains.compactMap { churn(library.functions($0), thread: thread, rounds: 300) }.first
            }
        }
        return verdict(problems, rounds: 300 * domains.count)
    }

    static let interpreters = 4
    static let interpreterRounds = 20

    /// MEM and OBJ through the allocators in place, from 4 interpreters with their own GIL and
    /// obmalloc state at once (3.12+), a thread in each, round by round together: blocks non-NULL,
    /// intact over the whole block, never overlapping another interpreter's live block, freed
    /// where they were allocated. Runs in the worker's own process: a crash is the finding.
    public static func ownGILInterpreters(_ context: CheckContext) -> CheckVerdict {
        guard var api = InterpreterAPI.look(up: context.library) else {
            return .notApplicable("\(context.library.target.libraryPath) has no interpreters with their own GIL")
        }
        // In a forked child: making a subinterpreter switches the debug hooks' GIL check off
        // for the whole process (debug.detect.without-gil-after-subinterpreter), which would
        // change what every later check in this worker sees.
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: 60) {
                var buffer = [CChar](repeating: 0, count: 8192)
                let lines = pmc_own_gil_interpreters(
                    &api, Int32(interpreters), Int32(interpreterRounds), &buffer, 8192)
                let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                print(String(decoding: text, as: UTF8.self), terminator: "")
                print(lines == 0 ? "finished" : "problems: \(lines)")
            }
        } catch {
            return .fail("could not isolate the interpreters: \(error)")
        }
        var evidence = Evidence()
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        for line in lines where line != "finished" && !line.hasPrefix("problems: ") { evidence.add(line) }
        if outcome.timedOut || outcome.signal != nil || outcome.exitStatus != 0 {
            evidence.add("the interpreters' run \(outcome.summary)" + WorkerFailure.colonTail(outcome, lines: 2))
        } else if lines.last == "finished" {
            evidence.exercised(interpreters * interpreterRounds * 16)
        } else if let count = lines.last, count.hasPrefix("problems: "), Int(count.dropFirst(10)) ?? 0 > 20 {
            evidence.add("… \(count.dropFirst(10)) problems in all")
        }
        return evidence.verdict
    }

    /// One observation per round of each thread that finished without a problem.
    static func verdict(_ problems: [String?], rounds: Int) -> CheckVerdict {
        var evidence = Evidence()
        for problem in problems {
            if let problem { evidence.add(problem) } else { evidence.exercised(rounds) }
        }
        return evidence.verdict
    }

    /// Allocates, writes, resizes, checks and frees in a loop; the first problem seen, if any.
    static func churn(_ functions: DomainFunctions, thread: Int, rounds: Int = rounds) -> String? {
        let seed = UInt8(truncatingIfNeeded: thread * 17)
        for round in 0..<rounds {
            let size = [0, 8, 64, 300, 513, 4096][round % 6]
            let viaCalloc = round % 3 == 0
            guard let block = viaCalloc ? functions.calloc(1, size) : functions.malloc(size) else {
                return "thread \(thread): allocation of \(size) bytes returned NULL"
            }
            Bytes.fill(block, count: size, seed: seed)
            guard let grown = functions.realloc(block, size + 100) else {
                return "thread \(thread): realloc returned NULL"
            }
            if let offset = Bytes.firstMismatch(grown, count: size, seed: seed) {
                return
                    "thread \(thread): round \(round), byte \(offset) of a \(size)-byte block changed (shared or lost)"
            }
            functions.free(grown)
        }
        return nil
    }

    /// Runs `body` on `count` new threads and joins them all (a thread's exit, with a plugin's
    /// thread-local destructors, is over before the next check, or a fork, begins).
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> String?) -> [String?] {
        JoinedThreads.run(count, unstarted: { "thread \($0) could not be started: \($1)" }, body)
    }
}
