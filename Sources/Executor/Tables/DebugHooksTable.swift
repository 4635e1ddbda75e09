import DebugReport

/// Debug hooks on the Python memory allocators: what they do in-process, and what they detect.
enum DebugHooksTable {
    static let table: [String: Check] = [
        "debug.hooks-installed": DebugHookChecks.hooksInstalled,
        "debug.cleanbyte.malloc": DebugHookChecks.cleanByteOnMalloc,
        "debug.cleanbyte.realloc-grow": DebugHookChecks.cleanByteOnGrow,
        "debug.deadbyte.free": DebugHookChecks.deadByteOnFree,
        "debug.deadbyte.realloc-shrink": DebugHookChecks.deadByteOnShrink,
        "debug.layout.header": DebugHookChecks.blockLayout,
        "debug.layout.realloc-calloc": DebugHookChecks.layoutAfterReallocAndCalloc,
        "debug.layout.no-serial-number": { DebugBytesChecks.overhead($0, words: 3) },
        "debug.layout.serial-number": { DebugBytesChecks.overhead($0, words: 4) },
        "debug.bytes.cb-db-fb": { DebugBytesChecks.documentedBytes($0, .legacy) },
        "debug.bytes.cd-dd-fd": { DebugBytesChecks.documentedBytes($0, .current) },
        "debug.detect.cross-domain-free": ViolationChecks.crossDomainFree,
        "debug.detect.cross-domain-realloc": ViolationChecks.crossDomainRealloc,
        "debug.detect.overflow": ViolationChecks.overflowDetected,
        "debug.detect.underflow": ViolationChecks.underflowDetected,
        "debug.detect.overflow-on-realloc": ViolationChecks.overflowDetectedByRealloc,
        "debug.detect.api-id-overwrite": ViolationChecks.apiIDOverwriteDetected,
        "debug.detect.mem-without-gil": ViolationChecks.callWithoutGIL,
        "debug.detect.obj-without-gil": ViolationChecks.callWithoutGIL,
        "debug.detect.mem-every-function-without-gil": ViolationChecks.everyFunctionWithoutGIL,
        "debug.detect.obj-every-function-without-gil": ViolationChecks.everyFunctionWithoutGIL,
        "debug.detect.without-gil-after-subinterpreter": ViolationChecks.withoutGILAfterSubinterpreter,
        "debug.report.tracemalloc-traceback": ViolationChecks.tracemallocTraceback,
        "debug.report.no-traceback-untraced": ViolationChecks.noTracebackUntraced,
        "debug.detect.double-free": ViolationChecks.doubleFreeDetected,
        "debug.detect.underflow-on-realloc": ViolationChecks.underflowDetectedByRealloc,
        "debug.layout.serial-number-increments": DebugBytesChecks.serialNumberIncrements,
    ]
}
