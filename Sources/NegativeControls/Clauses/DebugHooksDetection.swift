import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// 'Debug hooks on the Python memory allocators: detection': Conformance/41-debug-hooks-detection.yaml.
    static let debugHooksDetection: [Registration] = [
        Registration(
            "debug.detect.cross-domain-free",
            check: ViolationChecks.crossDomainFree,
            control: routesToOwner),
        Registration(
            "debug.detect.cross-domain-realloc",
            check: ViolationChecks.crossDomainRealloc,
            control: routesToOwner),
        Registration(
            "debug.detect.overflow",
            check: ViolationChecks.overflowDetected,
            control: repairs),
        Registration(
            "debug.detect.underflow",
            check: ViolationChecks.underflowDetected,
            control: repairs),
        Registration(
            "debug.detect.overflow-on-realloc",
            check: ViolationChecks.overflowDetectedByRealloc,
            control: repairs),
        Registration(
            "debug.detect.api-id-overwrite",
            check: ViolationChecks.apiIDOverwriteDetected,
            control: repairs),
        Registration(
            "debug.detect.mem-without-gil",
            check: ViolationChecks.callWithoutGIL,
            control: onTop("a call without the GIL takes it first") { context, _ in
                TakesTheGIL(context.library)
            }),
        Registration(
            "debug.detect.obj-without-gil",
            check: ViolationChecks.callWithoutGIL,
            control: onTop("a call without the GIL takes it first") { context, _ in
                TakesTheGIL(context.library)
            }),
        Registration(
            "debug.detect.mem-every-function-without-gil",
            check: ViolationChecks.everyFunctionWithoutGIL,
            control: onTop("a call without the GIL takes it first") {
                context, _ in TakesTheGIL(context.library)
            }),
        Registration(
            "debug.detect.obj-every-function-without-gil",
            check: ViolationChecks.everyFunctionWithoutGIL,
            control: onTop("a call without the GIL takes it first") {
                context, _ in TakesTheGIL(context.library)
            }),
        // Not TakesTheGIL: it asks PyGILState_Check, which a subinterpreter switched off.
        Registration(
            "debug.detect.without-gil-after-subinterpreter",
            check: ViolationChecks.withoutGILAfterSubinterpreter,
            control: onTop(
                "a call with no thread state aborts before the hooks can report"
            ) { context, _ in AbortsWithoutThreadState(context.library) }),
        Registration(
            "debug.report.tracemalloc-traceback",
            check: ViolationChecks.tracemallocTraceback,
            control: onTop(
                "each block's trace is dropped before it is freed", domains: [.mem]
            ) { context, _ in
                DropsTraces(context.library)
            }),
        Registration(
            "debug.detect.double-free",
            check: ViolationChecks.doubleFreeDetected,
            control: onTop("a block's second free is dropped") { _, _ in IgnoresSecondFree() }),
        Registration(
            "debug.detect.underflow-on-realloc",
            check: ViolationChecks.underflowDetectedByRealloc,
            control: repairs),
        Registration(
            "debug.report.no-traceback-untraced",
            check: ViolationChecks.noTracebackUntraced,
            control: Control(
                violation: "the report comparison expects an allocation traceback"
            ) { context in
                context.seams.expectedReport = ["allocation_traceback": .flag(true)]
            }),
    ]
}
