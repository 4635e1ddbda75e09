/// The pymalloc allocator and the tracemalloc C API.
enum PymallocTable {
    static let table: [String: Check] = [
        "pymalloc.threshold-512": PymallocChecks.largeRequestsGoToRaw,
        "pymalloc.arena-size.256kib": { PymallocChecks.arenaSize($0, expected: 256 << 10) },
        "pymalloc.arena-size.1mib": { PymallocChecks.arenaSize($0, expected: 1 << 20) },
        "pymalloc.disabled-by-pythonmalloc-malloc": PymallocChecks.noArenas,
        "pymalloc.arena-allocator.get-set": PymallocChecks.arenaAllocatorUsed,
        "pymalloc.mallocstats": PymallocChecks.mallocStatsPrinted,
        "tracemalloc.track.disabled": TraceMallocChecks.disabledReturnsMinusTwo,
        "tracemalloc.not-tracing-needs-no-gil": TraceMallocChecks.notTracingAnswersWithoutGIL,
        "tracemalloc.untrack.needs-no-gil": TraceMallocChecks.untrackAnswersWithoutGIL,
        "tracemalloc.track.needs-no-gil": TraceMallocChecks.trackAnswersWithoutGIL,
        "tracemalloc.track.success": TraceMallocChecks.trackSucceeds,
        "tracemalloc.track.update": TraceMallocChecks.trackUpdatesExisting,
        "tracemalloc.untrack.tracked": TraceMallocChecks.untrackRemovesTrace,
        "tracemalloc.untrack.untracked": TraceMallocChecks.untrackUntrackedIsNoOp,
        "tracemalloc.track.no-memory": TraceMallocChecks.trackFailsWithoutMemory,
        "pymalloc.arenas.anonymous-mappings": PymallocChecks.arenasAreAnonymousMappings,
    ]
}
