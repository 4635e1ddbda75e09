import CPythonABI
import Checks
import Foundation
import Isolation
import PyRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// RAW's promise, "thread-safe, the GIL does not need to be held", while the runtime does what
/// runtimes do: threads CPython does not know call PyMem_RawMalloc and PyMem_RawFree without
/// the GIL while the main thread, holding it, imports modules, collects garbage, makes and ends
/// interpreters, starts and stops tracemalloc, and waits for those very threads. "Does not need
/// the GIL" means a RAW call never waits for it: after each piece of work the main thread keeps
/// the GIL and waits, a bounded time, for every RAW thread to finish more rounds.
public enum RuntimeWorkChecks {
    static let threads = 4
    /// Rounds each RAW thread must finish while the main thread holds the GIL after a piece of work.
    static let progress: UInt = 20
    /// The bounded wait for them: a RAW round takes microseconds; a thread that waits for the GIL
    /// the main thread holds makes none.
    static let patience: Double = 1
    static let childTimeout: Double = 60

    struct Work: Sendable {
        var name: String
        var run: @Sendable (PythonRuntime) -> String?
    }

    /// The pieces of work, in order. Not the making of interpreters: CPython swaps the RAW
    /// allocator for its default while it makes and ends one, without a lock, so a RAW call from
    /// another thread at that moment may be served by one allocator and freed by another; a
    /// native check catches that only by chance, so it is a finding shown under DRD
    /// (Conformance/findings/raw-allocator-swapped-by-interpreters.c), not a step here.
    static let work: [Work] = [
        Work(name: "waiting for the RAW threads") { _ in nil },
        Work(name: "importing modules") { runtime in
            runtime.run("import json, fractions, difflib")
                ? nil : "the imports raised"
        },
        Work(name: "collecting garbage") { runtime in
            runtime.run("import gc; gc.collect()") ? nil : "gc.collect raised"
        },
    ]

    public static func rawWhileTheRuntimeWorks(_ context: CheckContext) -> CheckVerdict {
        run(context, steps: work)
    }

    /// While tracemalloc traces: started before the RAW threads are (tracemalloc.start swaps the
    /// RAW allocator without a lock, so a thread calling it at that moment may read half of the
    /// old struct and half of the new: python/cpython#131566, a race a native check meets only by
    /// chance), and never stopped (stopping it under RAW threads is another, #128679). The
    /// child ends as soon as it has its answer.
    public static func rawWhileTracemallocTraces(_ context: CheckContext) -> CheckVerdict {
        let start = Work(name: "starting tracemalloc") { runtime in
            runtime.run("import tracemalloc; tracemalloc.start(5); assert tracemalloc.is_tracing()")
                ? nil : "tracemalloc did not start tracing"
        }
        let tracing = Work(name: "tracing with tracemalloc") { runtime in
            runtime.run("import tracemalloc; assert tracemalloc.is_tracing()") ? nil : "tracemalloc stopped tracing"
        }
        let plant = context.seams.whileTracing
        let started = Work(name: "starting tracemalloc") { runtime in
            if let problem = start.run(runtime) { return problem }
            plant?(runtime.library)
            return nil
        }
        return run(context, before: [started], steps: [tracing], stopThreads: false)
    }

    static func run(
        _ context: CheckContext, before: [Work] = [], steps: [Work], stopThreads: Bool = true
    ) -> CheckVerdict {
        let run: ThreadedChild.Run
        do {
            run = try ThreadedChild.run(timeout: childTimeout) {
                inChild(context.runtime, before: before, steps, stopThreads: stopThreads)
            }
        } catch {
            return .fail("could not isolate the run: \(error)")
        }
        var evidence = run.evidence(timeout: childTimeout)
        if run.finished { evidence.exercised(steps.count * threads) }
        // What a run that finished found is its observation (a recorded deviation names it); a
        // crash or a hang has none, and is a failure wherever it happens.
        return evidence.verdict.observing(run.finished ? run.problems.joined(separator: "; ") : nil)
    }

    /// In the forked child: the work `before` the threads, the RAW threads, then each piece of
    /// work holding the GIL, each followed by the bounded wait; a line per step on standard output.
    static func inChild(_ runtime: PythonRuntime, before: [Work], _ steps: [Work], stopThreads: Bool) {
        let say = ThreadedChild.say
        let library = runtime.library
        for step in before {
            say("doing: \(step.name)")
            if let problem = step.run(runtime) { return say("problem: \(step.name): \(problem)") }
        }
        guard let malloc = library.optionalSymbol("PyMem_RawMalloc", as: UnsafeMutableRawPointer.self),
            let free = library.optionalSymbol("PyMem_RawFree", as: UnsafeMutableRawPointer.self),
            let churn = pmc_raw_churn_start(malloc, free, Int32(threads)),
            let crew = pmc_raw_churn_crew(churn), pmc_crew_threads(crew) == Int32(threads)
        else { return say("problem: the RAW threads could not be started") }
        for step in steps {
            say("doing: \(step.name)")
            if let problem = step.run(runtime) { say("problem: \(step.name): \(problem)") }
            // Still holding the GIL: the RAW threads must keep going. Rounds are counted from
            // here, not from before the work: Python code lends the GIL out every few
            // milliseconds, so a thread that waits for it also makes rounds during the work.
            let before = pmc_crew_least_rounds(crew)
            if !ThreadedChild.wait(for: crew, beyond: before, by: progress, seconds: patience) {
                say(
                    "problem: after \(step.name), with the main thread holding the GIL, a RAW thread finished fewer "
                        + "than \(progress) rounds in \(patience) s: it waited (for the GIL?) or stopped")
                // The answer is in: the child ends here, RAW threads and all.
                return finish(churn)
            }
        }
        guard stopThreads else { return finish(churn) }
        say("doing: stopping the RAW threads")
        if !runtime.withoutGIL({ ThreadedChild.stop(crew, seconds: 10) }) {
            say("problem: a RAW thread did not stop within 10 s")
        }
        for line in String(cString: pmc_raw_churn_problems(churn)).split(separator: "\n") {
            say("problem: \(line)")
        }
        say("finished")
    }

    /// Ends the child without stopping the threads: what they found so far (a NULL stops them).
    static func finish(_ churn: OpaquePointer) {
        var found = [CChar](repeating: 0, count: 4096)
        pmc_raw_churn_problems_copy(churn, &found, found.count)
        for line in String(cString: found).split(separator: "\n") { ThreadedChild.say("problem: \(line)") }
        ThreadedChild.say("finished")
    }
}
