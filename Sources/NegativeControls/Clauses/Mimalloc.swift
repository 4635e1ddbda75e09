import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// The mimalloc allocator: Conformance/60-mimalloc.yaml.
    static let mimalloc: [Registration] = [
        Registration(
            "mimalloc.pythonmalloc-mimalloc",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "mimalloc.pythonmalloc-mimalloc-debug",
            check: AllocatorSetupChecks.modeInEffect,
            control: modeReplaced),
        Registration(
            "mimalloc.absent-before-3.13",
            check: { AllocatorSetupChecks.unknownNameRefused($0, name: "mimalloc") },
            control: Control(violation: "python is given a PYTHONMALLOC name it knows (malloc)") {
                context in
                context.seams.pythonMallocName = "malloc"
            }),
    ]
}
