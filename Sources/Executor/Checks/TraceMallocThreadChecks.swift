import CPythonABI
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
        let (track, untrack) = (context.seams.threadTrack ?? realTrack, context.seams.threadUntrack ?? realUntrack)
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: 60) {
                inChild(context.runtime, track: track, untrack: untrack)
            }
        } catch {
            return .fail("could not isolate the run: \(error)")
        }
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        let doing = lines.last { $0.hasPrefix("doing: ") }.map { String($0.dropFirst(7)) } ?? "starting"
        var evidence = Evidence()
        for line in lines where line.hasPrefix("problem: ") { evidence.add(String(line.dropFirst(9))) }
        if outcome.timedOut {
            evidence.add("killed after 60 s while \(doing): the run hung")
        } else if outcome.signal != nil || outcome.exitStatus != 0 {
            evidence.add("the run \(outcome.summary) while \(doing)" + WorkerFailure.colonTail(outcome, lines: 2))
            // CPython's race (python/cpython#128679), in words a recorded deviation can name.
            if doing.hasPrefix("stopping tracemalloc") && (outcome.signal == SIGSEGV || outcome.signal == SIGABRT) {
                return evidence.verdict.observing("a thread in PyTraceMalloc_Track crashed while tracemalloc stopped")
            }
        } else if let counts = lines.first(where: { $0.hasPrefix("results: ") }) {
            let numbers = counts.dropFirst(9).split(separator: " ").compactMap { UInt($0) }
            if numbers.count == 4 {
                evidence.expect(numbers[3] == 0, "\(numbers[3]) calls returned something other than 0, -1 or -2")
                evidence.expect(numbers[0] > 0, "no call returned 0 while tracemalloc traced")
                evidence.expect(numbers[2] > 0, "no call returned -2 while tracemalloc was off")
            } else {
                evidence.add("the run gave no counts")
            }
        } else {
            evidence.add("the run ended without its counts (while \(doing))")
        }
        return evidence.verdict
    }

    static func inChild(_ runtime: PythonRuntime, track: UnsafeMutableRawPointer, untrack: UnsafeMutableRawPointer) {
        func say(_ line: String) {
            print(line)
            fflush(nil) // the parent names the step a hang or crash happened in
        }
        guard let churn = pmc_track_churn_start(track, untrack, Int32(threads)),
            pmc_track_churn_threads(churn) == Int32(threads)
        else { return say("problem: the threads could not be started") }
        runtime.run("import tracemalloc")
        for cycle in 1...cycles {
            for (step, source) in [("starting", "tracemalloc.start()"), ("stopping", "tracemalloc.stop()")] {
                say("doing: \(step) tracemalloc (cycle \(cycle))")
                if !runtime.run(source) {
                    say("problem: tracemalloc.\(step == "starting" ? "start" : "stop")() raised")
                }
                // The GIL released until every thread has made more calls in this state.
                let before = pmc_track_churn_least_calls(churn)
                let progressed = runtime.withoutGIL { () -> Bool in
                    let deadline = Date().addingTimeInterval(5)
                    while pmc_track_churn_least_calls(churn) < before + callsPerStep {
                        if Date() > deadline { return false }
                        usleep(200)
                    }
                    return true
                }
                if !progressed { say("problem: with the GIL released, a thread made no \(callsPerStep) calls in 5 s") }
            }
        }
        say("doing: stopping the threads")
        let stopped = runtime.withoutGIL { () -> Bool in
            let deadline = Date().addingTimeInterval(10)
            while pmc_track_churn_stop(churn) == 0 {
                if Date() > deadline { return false }
                usleep(1000)
            }
            return true
        }
        if !stopped { say("problem: a thread did not stop within 10 s") }
        say("results: " + (0..<4).map { String(pmc_track_churn_results(churn, Int32($0))) }.joined(separator: " "))
    }
}
