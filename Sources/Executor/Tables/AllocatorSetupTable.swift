/// Default Memory Allocators, Customize Memory Allocators and The mimalloc allocator.
enum AllocatorSetupTable {
    static let table: [String: Check] = [
        "default.release-build": AllocatorSetupChecks.modeInEffect,
        "default.debug-build": AllocatorSetupChecks.modeInEffect,
        "default.raw-is-malloc": AllocatorSetupChecks.rawIsMalloc,
        "pythonmalloc.malloc": AllocatorSetupChecks.modeInEffect,
        "pythonmalloc.pymalloc": AllocatorSetupChecks.modeInEffect,
        "pythonmalloc.debug": AllocatorSetupChecks.modeInEffect,
        "pythonmalloc.malloc_debug": AllocatorSetupChecks.modeInEffect,
        "pythonmalloc.pymalloc_debug": AllocatorSetupChecks.modeInEffect,
        "pythonmalloc.free-threaded-names": StartupChecks.freeThreadedRefusesNames,
        "preconfig.free-threaded-allocators": StartupChecks.freeThreadedRefusesPreConfig,
        "setallocator.obj-before-init-keeps-gc": StartupChecks.objectAllocatorKeepsCycleCollection,
        "setallocator.get-set-round-trip": CustomAllocatorChecks.getSetRoundTrip,
        "setallocator.ctx-passed": CustomAllocatorChecks.ctxPassedToEveryCall,
        "setallocator.arguments-passed-through": CustomAllocatorChecks.argumentsPassedThrough,
        "setallocator.hook-sees-every-call": CustomAllocatorChecks.wrapperSeesEveryCall,
        "setallocator.setup-debug-hooks-reinstalls": CustomAllocatorChecks.setupDebugHooksOverCustomAllocator,
        "setupdebughooks.runtime": AllocatorSetupChecks.modeInEffect,
        "mimalloc.pythonmalloc-mimalloc": AllocatorSetupChecks.modeInEffect,
        "mimalloc.pythonmalloc-mimalloc-debug": AllocatorSetupChecks.modeInEffect,
        "mimalloc.absent-before-3.13": { AllocatorSetupChecks.unknownNameRefused($0, name: "mimalloc") },
    ]
}
