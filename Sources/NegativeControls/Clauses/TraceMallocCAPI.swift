import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import DebugReport
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// tracemalloc C API: Conformance/70-tracemalloc-c-api.yaml.
    static let traceMallocCAPI: [Registration] = [
        Registration(
            "tracemalloc.track.disabled",
            check: TraceMallocChecks.disabledReturnsMinusTwo,
            control: Control(
                violation: "PyTraceMalloc_Track and _Untrack succeed while tracemalloc is off"
            ) { context in
                context.seams.track = { _, _, _ in 0 }
                context.seams.untrack = { _, _ in 0 }
            }),
        Registration(
            "tracemalloc.track.success",
            check: TraceMallocChecks.trackSucceeds,
            control: Control(violation: "PyTraceMalloc_Track records one byte more than asked") {
                context in
                let real = context.library.traceMallocTrack
                context.seams.track = { domain, pointer, size in real?(domain, pointer, size + 1) ?? -1 }
            }),
        Registration(
            "tracemalloc.track.update",
            check: TraceMallocChecks.trackUpdatesExisting,
            control: Control(violation: "PyTraceMalloc_Track keeps the first trace of a block") {
                context in
                let real = context.library.traceMallocTrack
                let seen = Box<Set<UInt>>([])
                context.seams.track = { domain, pointer, size in
                    guard seen.value.insert(pointer).inserted else { return 0 }
                    return real?(domain, pointer, size) ?? -1
                }
            }),
        Registration(
            "tracemalloc.untrack.tracked",
            check: TraceMallocChecks.untrackRemovesTrace,
            control: Control(violation: "PyTraceMalloc_Untrack returns 0 and removes nothing") {
                context in
                context.seams.untrack = { _, _ in 0 }
            }),
        Registration(
            "tracemalloc.untrack.untracked",
            check: TraceMallocChecks.untrackUntrackedIsNoOp,
            control: Control(
                violation: "PyTraceMalloc_Untrack removes the domain's tracked block whatever it is given"
            ) {
                context in
                let real = context.library.traceMallocUntrack
                context.seams.untrack = { domain, _ in real?(domain, TraceMallocChecks.pointer) ?? -1 }
            }),
        Registration(
            "tracemalloc.track.no-memory",
            check: TraceMallocChecks.trackFailsWithoutMemory,
            control: Control(
                violation: "PyTraceMalloc_Track returns 0 whether or not its trace could be stored"
            ) { context in
                let real = context.library.traceMallocTrack
                context.seams.track = { domain, pointer, size in
                    _ = real?(domain, pointer, size)
                    return 0
                }
            }),
        Registration(
            "tracemalloc.track.threads-while-starting-stopping",
            check: TraceMallocThreadChecks.trackFromThreadsWhileStartingAndStopping,
            control: Control(
                violation:
                    "PyTraceMalloc_Track and _Untrack, called from the threads, succeed while tracemalloc is off"
            ) { context in
                context.seams.threadTrack = unsafeBitCast(
                    pmc_track_succeeds_always as @convention(c) (UInt32, UInt, Int) -> Int32,
                    to: UnsafeMutableRawPointer.self)
                context.seams.threadUntrack = unsafeBitCast(
                    pmc_untrack_succeeds_always as @convention(c) (UInt32, UInt) -> Int32,
                    to: UnsafeMutableRawPointer.self
                )
            }),
        Registration(
            "tracemalloc.not-tracing-needs-no-gil",
            check: TraceMallocChecks.notTracingAnswersWithoutGIL,
            control: takesTheGIL),
        Registration(
            "tracemalloc.untrack.needs-no-gil",
            check: TraceMallocChecks.untrackAnswersWithoutGIL,
            control: takesTheGIL),
        Registration(
            "tracemalloc.track.needs-no-gil",
            check: TraceMallocChecks.trackAnswersWithoutGIL,
            control: takesTheGIL),
    ]
}
