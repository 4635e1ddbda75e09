import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// Raw Memory Interface: Conformance/10-raw-memory-interface.yaml.
    static let rawMemoryInterface: [Registration] =
        allocationFunctions("raw") + [
            Registration(
                "raw.threads.without-gil",
                check: ThreadChecks.rawWithoutGILFromThreads,
                control: offThread),
            Registration(
                "raw.threads.while-runtime-works",
                check: RuntimeWorkChecks.rawWhileTheRuntimeWorks,
                control: onTop("a RAW call from a thread with no thread state takes the GIL") {
                    context, _ in WaitsForTheGIL(context.library)
                }),
            // Above tracemalloc's hook, planted once it traces: a hook that takes the GIL (the
            // deviation up to 3.14) would otherwise hide any defect below it.
            Registration(
                "raw.threads.while-tracemalloc-traces",
                check: RuntimeWorkChecks.rawWhileTracemallocTraces,
                control: Control(
                    violation: "calls from any thread but the main one fail (planted above tracemalloc's hook)"
                ) { context in
                    context.seams.whileTracing = { library in
                        _ = FailsOffItsThread().install(onTopOf: .raw, in: library, registered: false)
                    }
                }),
        ]
}
