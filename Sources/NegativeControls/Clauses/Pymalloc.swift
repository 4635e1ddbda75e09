import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// The pymalloc allocator: Conformance/50-pymalloc.yaml.
    static let pymalloc: [Registration] = [
        Registration(
            "pymalloc.threshold-512",
            check: PymallocChecks.largeRequestsGoToRaw,
            control: onTop("requests above 256 bytes are served from the C library, not the RAW domain") {
                _, _ in
                ServedByLibc { $0 > 256 }
            }),
        Registration(
            "pymalloc.arena-size.256kib",
            check: { PymallocChecks.arenaSize($0, expected: 256 << 10) },
            control: objectsFromLibc),
        Registration(
            "pymalloc.arena-size.1mib",
            check: { PymallocChecks.arenaSize($0, expected: 1 << 20) },
            control: objectsFromLibc),
        Registration(
            "pymalloc.disabled-by-pythonmalloc-malloc",
            check: PymallocChecks.noArenas,
            control: onTop("the object allocator takes an arena", domains: [.obj]) {
                context, _ in
                TakesAnArena(context.library)
            }),
        Registration(
            "pymalloc.arena-allocator.get-set",
            check: PymallocChecks.arenaAllocatorUsed,
            control: objectsFromLibc),
        Registration(
            "pymalloc.mallocstats",
            check: PymallocChecks.mallocStatsPrinted,
            control: Control(
                violation: "python is killed before it exits (before the statistics are printed)"
            ) { context in
                context.seams.pythonProgram = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
            }),
        Registration(
            "pymalloc.arenas.anonymous-mappings",
            check: PymallocChecks.arenasAreAnonymousMappings,
            control: Control(
                violation: "arenas come from malloc, not from mappings of their own"
            ) { context in
                ArenasFromMalloc.install(in: context.library)
            }),
    ]
}
