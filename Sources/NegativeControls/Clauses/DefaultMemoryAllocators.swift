import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// Default Memory Allocators: Conformance/20-default-memory-allocators.yaml.
    static let defaultMemoryAllocators: [Registration] = [
        Registration(
            "default.release-build",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "default.debug-build",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "default.raw-is-malloc",
            check: AllocatorSetupChecks.rawIsMalloc,
            control: onTop("the RAW domain is served from anonymous mappings, not malloc", domains: [.raw]) { _, _ in
                ServedByLibc(source: .mappings)
            }),
        Registration(
            "pythonmalloc.malloc",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "pythonmalloc.pymalloc",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "pythonmalloc.debug",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "pythonmalloc.malloc_debug",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "pythonmalloc.pymalloc_debug",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "pythonmalloc.free-threaded-names",
            check: StartupChecks.freeThreadedRefusesNames,
            control: Control(violation: "the fresh runtime is given a name it has (mimalloc)") {
                context in
                context.seams.freshStart = { $0.allocators = .pythonMalloc("mimalloc") }
            }),
        Registration(
            "preconfig.free-threaded-allocators",
            check: StartupChecks.freeThreadedRefusesPreConfig,
            control: Control(
                violation: "PyPreConfig.allocator asks for an allocator the build has (PYMEM_ALLOCATOR_MIMALLOC)"
            ) { context in
                context.seams.freshStart = { $0.allocators = .preConfig(.mimalloc) }
            }),
    ]
}
