import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// Object allocators: Conformance/12-object-allocators.yaml.
    static let objectAllocators: [Registration] =
        allocationFunctions("obj") + [
            Registration(
                "obj.threads.gil-holders",
                check: ThreadChecks.gilHoldersFromThreads,
                control: offThread),
            Registration(
                "obj.threads.free-threaded-at-once",
                check: ThreadChecks.attachedThreadsAtOnce,
                control: oneAtATime),
        ]
}
