import CPythonABI
import Checks
import Foundation
import Isolation
import PyRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// PyTraceMalloc_Track and PyTraceMalloc_Untrack from threads CPython does not know, while the
/// main thread starts and stops tracemalloc: they take the GIL themselves (Python/tracemalloc.c,
/// Modules/_tracemalloc.c before 3.12), so each call sees tracemalloc either tracing (0) or off
/// (-2), never a half-started or half-stopped one; no crash, no hang, nothing else returned.
/// The main thread releases the GIL between its steps until every thread has made more calls,
/// so that both states are met by every thread, whatever the timing.
public enum TraceMallocThreadChecks {
    static let threads = 4
    static let cycles = 50
    static let callsPerStep: UInt = 5

    public static func trackFromThreadsWhileStartingAndStopping(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        guard
            let realTrack = library.optionalSymbol("PyTraceMalloc_Track", as: UnsafeMutableRawPointer.self)
                ?? library.optionalSymbol("_PyTraceMalloc_Track", as: UnsafeMutableRawPointer.self),
            let realUntrack = library.optionalSymbol("PyTraceMalloc_Untrack", as: UnsafeMutableRawPointer.self)
                ?? library.optionalSymbol("_PyTraceMalloc_Untrack", as: UnsafeMutableRawPointer.self)
        else { return .notApplicable("the target has no tracemalloc C API") }
        guard let ensure = library.optionalSymbol("PyGILState_Ensure", as: UnsafeMutableRawPointer.self),
            let save = library.optionalSymbol("PyEval_SaveThread", as: UnsafeMutableRawPointer.self)
        else { return .notApplicable("the target has no PyGILState_Ensure or PyEval_SaveThread") }
        let (track, untrack) = (context.seams.threadTrack ?? realTrack, context.seams.threadUntrack ?? realUntrack)
        let calls = Calls(track: track, untrack: untrack, ensure: ensure, save: save)
        let run: ThreadedChild.Run
        do {
            run = try ThreadedChild.run(timeout: 60) { inChild(context.runtime, calls) }
        } catch {
            return .fail("could not isolate the run: \(error)")
        }
        var evidence = run.evidence(timeout: 60)
        let outcome = run.outcome
        let cycling = run.doing.hasPrefix("stopping tracemalloc") || run.doing.hasPrefix("starting tracemalloc")
        if !outcome.timedOut && cycling && (outcome.signal == SIGSEGV || outcome.signal == SIGABRT) {
            // CPython's race (python/cpython#128679), in words a recorded deviation can name. A
            // call that checked tracing before a stop crashes when it gets the GIL, almost always
            // in the stop's own step; on a loaded machine it may land after the next start began.
            return evidence.verdict.observing(
                "a thread in the tracemalloc C API crashed while tracemalloc started and stopped")
        }
        guard run.finished else { return evidence.verdict }
        let counts = run.lines.first { $0.hasPrefix("results: ") }
        let numbers = counts?.dropFirst("results: ".count).split(separator: " ").compactMap { UInt($0) } ?? []
        guard numbers.count == 4 else {
            evidence.add("the run gave no counts")
            return evidence.verdict
        }
        evidence.expect(numbers[3] == 0, "\(numbers[3]) calls returned something other than 0, -1 or -2")
        evidence.expect(numbers[0] > 0, "no call returned 0 while tracemalloc traced")
        evidence.expect(numbers[2] > 0, "no call returned -2 while tracemalloc was off")
        return evidence.verdict
    }

    /// The functions the threads call: the tracemalloc C API (or a control's stand-ins), and the
    /// two that give each thread a thread state of its own, detached, before its first call.
    struct Calls {
        let track, untrack, ensure, save: UnsafeMutableRawPointer
    }

    static func inChild(_ runtime: PythonRuntime, _ calls: Calls) {
        let say = ThreadedChild.say
        guard let churn = pmc_track_churn_start(calls.track, calls.untrack, calls.ensure, calls.save, Int32(threads)),
            let crew = pmc_track_churn_crew(churn), pmc_crew_threads(crew) == Int32(threads)
        else { return say("problem: the threads could not be started") }
        // Every thread's first round (its thread state) before tracemalloc first starts: a thread
        // that made one in every call would meet start and stop swapping the RAW allocator.
        say("doing: giving each thread a thread state")
        guard runtime.withoutGIL({ ThreadedChild.wait(for: crew, beyond: 0, by: 1, seconds: 5) }) else {
            return say("problem: a thread did not make its thread state in 5 s")
        }
        runtime.run("import tracemalloc")
        for cycle in 1...cycles {
            for (step, call) in [("starting", "start"), ("stopping", "stop")] {
                say("doing: \(step) tracemalloc (cycle \(cycle))")
                if !runtime.run("tracemalloc.\(call)()") { say("problem: tracemalloc.\(call)() raised") }
                // The GIL released until every thread has made more calls in this state.
                let before = pmc_crew_least_rounds(crew)
                if !runtime.withoutGIL({
                    ThreadedChild.wait(for: crew, beyond: before, by: callsPerStep, seconds: 5)
                }) {
                    say("problem: with the GIL released, a thread made no \(callsPerStep) calls in 5 s")
                }
            }
        }
        say("doing: stopping the threads")
        if !runtime.withoutGIL({ ThreadedChild.stop(crew, seconds: 10) }) {
            say("problem: a thread did not stop within 10 s")
        }
        say("results: " + (0..<4).map { String(pmc_track_churn_results(churn, Int32($0))) }.joined(separator: " "))
        say("finished")
    }
}
