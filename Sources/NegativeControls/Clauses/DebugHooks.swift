import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks
import Vocabulary

extension ClauseRegistry {
    /// Debug hooks on the Python memory allocators: Conformance/40-debug-hooks.yaml.
    static let debugHooks: [Registration] = [
        Registration(
            "debug.hooks-installed",
            check: DebugHookChecks.hooksInstalled,
            control: onTop(
                "an allocator over the C library replaces the hooks on every domain", registered: false,
                domains: AllocatorDomain.allCases
            ) { _, _ in ServedByLibc() }),
        Registration(
            "debug.cleanbyte.malloc",
            check: DebugHookChecks.cleanByteOnMalloc,
            control: touches),
        Registration(
            "debug.cleanbyte.realloc-grow",
            check: DebugHookChecks.cleanByteOnGrow,
            control: touches),
        Registration(
            "debug.deadbyte.free",
            check: DebugHookChecks.deadByteOnFree,
            control: onTop("free hands blocks to the allocator below the hooks without erasing them") {
                context, domain in
                FreeSkipsErase(frame(context, domain))
            }),
        Registration(
            "debug.deadbyte.realloc-shrink",
            check: DebugHookChecks.deadByteOnShrink,
            control: onTop(
                "a shrinking realloc scribbles over the bytes it gives up and resizes below the hooks"
            ) {
                context, domain in ShrinkSkipsErase(frame(context, domain))
            }),
        Registration(
            "debug.layout.header",
            check: DebugHookChecks.blockLayout,
            control: oneMore),
        Registration(
            "debug.layout.realloc-calloc",
            check: DebugHookChecks.layoutAfterReallocAndCalloc,
            control: oneMore),
        Registration(
            "debug.layout.no-serial-number",
            check: { DebugBytesChecks.overhead($0, words: 3) },
            control: oneMore),
        Registration(
            "debug.layout.serial-number",
            check: { DebugBytesChecks.overhead($0, words: 4) },
            control: oneMore),
        Registration(
            "debug.bytes.cb-db-fb",
            check: { DebugBytesChecks.documentedBytes($0, .legacy) },
            control: touches),
        Registration(
            "debug.bytes.cd-dd-fd",
            check: { DebugBytesChecks.documentedBytes($0, .current) },
            control: touches),
        Registration(
            "debug.layout.serial-number-increments",
            check: DebugBytesChecks.serialNumberIncrements,
            control: oneMore),
    ]
}
