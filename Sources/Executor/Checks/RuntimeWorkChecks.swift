import CPythonABI
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

    struct Work {
        var name: String
        var run: (PythonRuntime) -> String?
    }

    /// The pieces of work, in order. Not the making of interpreters: CPython swaps the RAW
    /// allocator for its default while it makes and ends one, without a lock, so a RAW call from
    /// another thread at that moment may be served by one allocator and freed by another; a
    /// native check catches that only by chance, so it is a finding shown under DRD
    /// (Conformance/findings/raw-allocator-swapped-by-interpreters.c), not a step here.
    static func work(_ version: PythonVersion) -> [Work] {
        [
            Work(name: "waiting for the RAW threads") { _ in nil },
            Work(name: "importing modules") { runtime in
                runtime.run("import json, fractions, difflib")
                    ? nil : "the imports raised"
            },
            Work(name: "collecting garbage") { runtime in
                runtime.run("import gc; gc.collect()") ? nil : "gc.collect raised"
            },
        ]
    }

    public static func rawWhileTheRuntimeWorks(_ context: CheckContext) -> CheckVerdict {
        run(context, steps: work(context.version))
    }

    /// While tracemalloc traces (started, not stopped: stopping it while RAW threads run is a
    /// race of its own, python/cpython#128679). The child ends as soon as it has its answer.
    public static func rawWhileTracemallocTraces(_ context: CheckContext) -> CheckVerdict {
        let tracing = Work(name: "tracing with tracemalloc") { runtime in
            runtime.run("import tracemalloc; tracemalloc.start(5); assert tracemalloc.is_tracing()")
                ? nil : "tracemalloc did not start tracing"
        }
        return run(context, steps: [tracing], stopThreads: false)
    }

    static func run(_ context: CheckContext, steps: [Work], stopThreads: Bool = true) -> CheckVerdict {
        let run: ThreadedChild.Run
        do {
            run = try ThreadedChild.run(timeout: childTimeout) {
                inChild(context.runtime, steps, stopThreads: stopThreads)
            }
        } catch {
            return .fail("could not isolate the run: \(error)")
        }
        var evidence = run.evidence(timeout: childTimeout)
        if run.finished { evidence.exercised(steps.count * threads) }
        return evidence.verdict
    }

    /// In the forked child: the RAW threads, then each piece of work holding the GIL, each
    /// followed by the bounded wait; a line per step on standard output.
    static func inChild(_ runtime: PythonRuntime, _ steps: [Work], stopThreads: Bool) {
        let say = ThreadedChild.say
        let library = runtime.library
        guard let malloc = library.optionalSymbol("PyMem_RawMalloc", as: UnsafeMutableRawPointer.self),
            let free = library.optionalSymbol("PyMem_RawFree", as: UnsafeMutableRawPointer.self),
            let churn = pmc_raw_churn_start(malloc, free, Int32(threads)),
            let crew = pmc_raw_churn_crew(churn), pmc_crew_threads(crew) == Int32(threads)
        else { return say("problem: the RAW threads could not be started") }
        for step in steps {
            say("doing: \(step.name)")
            let before = pmc_crew_least_rounds(crew)
            if let problem = step.run(runtime) { say("problem: \(step.name): \(problem)") }
            // Still holding the GIL: the RAW threads must keep going.
            if !ThreadedChild.wait(for: crew, beyond: before, by: progress, seconds: patience) {
                say(
                    "problem: after \(step.name), with the main thread holding the GIL, a RAW thread finished fewer "
                        + "than \(progress) rounds in \(patience) s: it waited (for the GIL?) or stopped")
                // The answer is in: the child ends here, RAW threads and all.
                return say("finished")
            }
        }
        guard stopThreads else { return say("finished") }
        say("doing: stopping the RAW threads")
        if !runtime.withoutGIL({ ThreadedChild.stop(crew, seconds: 10) }) {
            say("problem: a RAW thread did not stop within 10 s")
        }
        for line in String(cString: pmc_raw_churn_problems(churn)).split(separator: "\n") {
            say("problem: \(line)")
        }
        say("finished")
    }
}

/// A subinterpreter made and ended as CPython's own tests do (_testcapi.run_in_subinterp).
public enum Subinterpreter {
    typealias Swap = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias Make = @convention(c) () -> OpaquePointer?
    typealias End = @convention(c) (OpaquePointer?) -> Void

    /// False when the target lacks the functions.
    public static func makeAndEnd(_ library: PythonLibrary) -> Bool {
        guard let swap = library.optionalSymbol("PyThreadState_Swap", as: Swap.self),
            let make = library.optionalSymbol("Py_NewInterpreter", as: Make.self),
            let end = library.optionalSymbol("Py_EndInterpreter", as: End.self)
        else { return false }
        let main = swap(nil)
        end(make())
        _ = swap(main)
        return true
    }
}

/// The C API of interpreters with their own GIL (3.12+), looked up in the target.
public enum InterpreterAPI {
    public static func look(up library: PythonLibrary) -> PMCInterpreterAPI? {
        let names = [
            "Py_NewInterpreterFromConfig", "Py_EndInterpreter", "PyThreadState_Get", "PyThreadState_Swap",
            "PyThreadState_GetInterpreter", "PyThreadState_New", "PyThreadState_Clear", "PyThreadState_DeleteCurrent",
            "PyEval_SaveThread", "PyEval_RestoreThread", "PyMem_Malloc", "PyMem_Free", "PyObject_Malloc",
            "PyObject_Free",
        ]
        let found = names.compactMap { library.optionalSymbol($0, as: UnsafeMutableRawPointer.self) }
        guard found.count == names.count else { return nil }
        return PMCInterpreterAPI(
            new_interpreter_from_config: found[0], end_interpreter: found[1], thread_state_get: found[2],
            thread_state_swap: found[3], thread_state_get_interpreter: found[4], thread_state_new: found[5],
            thread_state_clear: found[6], thread_state_delete_current: found[7], eval_save_thread: found[8],
            eval_restore_thread: found[9], mem_malloc: found[10], mem_free: found[11], obj_malloc: found[12],
            obj_free: found[13])
    }
}
