import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// Memory Interface: Conformance/11-memory-interface.yaml.
    static let memoryInterface: [Registration] =
        allocationFunctions("mem") + [
            Registration(
                "mem.threads.gil-holders",
                check: ThreadChecks.gilHoldersFromThreads,
                control: offThread),
            Registration(
                "mem.threads.free-threaded-at-once",
                check: ThreadChecks.attachedThreadsAtOnce,
                control: oneAtATime),
            Registration(
                "mem.macros.new-resize-del",
                check: MacroChecks.newResizeDel,
                control: onTop(
                    "PyMem_Realloc loses the first byte of the contents", domains: [.mem]
                ) { _, _ in
                    ReallocLosesFirstByte()
                }),
            Registration(
                "mem.macros.upper-case-family",
                check: MacroChecks.upperCaseFamily,
                control: overInstalled(
                    "requests reach the MEM domain's allocator only after being served elsewhere"
                ) {
                    ServedByLibc()
                }),
        ]
}
