import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// Customize Memory Allocators: Conformance/30-customize-memory-allocators.yaml.
    static let customizeMemoryAllocators: [Registration] = [
        Registration(
            "setallocator.get-set-round-trip",
            check: CustomAllocatorChecks.getSetRoundTrip,
            control: overInstalled(
                "PyMem_SetAllocator puts another allocator over the one given"
            ) {
                OneByteMore()
            }),
        Registration(
            "setallocator.own-gil-interpreters",
            check: ThreadChecks.ownGILInterpreters,
            control: offThread),
        Registration(
            "setallocator.ctx-passed",
            check: CustomAllocatorChecks.ctxPassedToEveryCall,
            control: overInstalled("an installed allocator is called with another ctx") {
                PassesAnotherContext()
            }),
        Registration(
            "setallocator.arguments-passed-through",
            check: CustomAllocatorChecks.argumentsPassedThrough,
            control: overInstalled(
                "the sizes reach an installed allocator one byte larger"
            ) {
                OneByteMore()
            }),
        Registration(
            "setallocator.hook-sees-every-call",
            check: CustomAllocatorChecks.wrapperSeesEveryCall,
            control: overInstalled(
                "requests under 64 bytes are served without reaching the installed allocator"
            ) {
                ServedByLibc { $0 < 64 }
            }),
        Registration(
            "setallocator.setup-debug-hooks-reinstalls",
            check: CustomAllocatorChecks.setupDebugHooksOverCustomAllocator,
            control: Control(
                violation: "the custom allocators are put back on top after PyMem_SetupDebugHooks()"
            ) { context in
                context.seams.scenarioControl = true
            }),
        Registration(
            "setupdebughooks.runtime",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "setallocator.obj-before-init-keeps-gc",
            check: StartupChecks.objectAllocatorKeepsCycleCollection,
            control: Control(
                violation:
                    "the fresh runtime keeps a reference to the cycle it drops, as a collector that misses it would"
            ) { context in
                context.seams.freshStart = { $0.keepCycle = true }
            }),
    ]
}
