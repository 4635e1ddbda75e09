/// The clauses the Raw Memory Interface, Memory Interface and Object allocators sections share:
/// each is stated once per domain ("raw.", "mem.", "obj." ids) and checked by the same code,
/// which reads the domain from the clause.
enum AllocationTable {
    static let perDomain: [String: Check] = [
        "malloc.zero-size-distinct": AllocationChecks.zeroSizeMalloc,
        "calloc.zero-size-distinct": AllocationChecks.zeroSizeCalloc,
        "calloc.zeroes": AllocationChecks.callocZeroes,
        "calloc.overflow-fails": AllocationChecks.callocOverflowFails,
        "malloc.above-ssize-max-fails": AllocationChecks.aboveSsizeMaxFails,
        "realloc.null-is-malloc": AllocationChecks.reallocNullIsMalloc,
        "realloc.zero-resizes": AllocationChecks.reallocToZeroResizes,
        "realloc.keeps-contents": AllocationChecks.reallocKeepsContents,
        "realloc.failure-keeps-block": AllocationChecks.reallocFailureKeepsBlock,
        "realloc.injected-failure-keeps-block": FaultInjectionChecks.reallocFailureInjected,
        "free.null-no-op": AllocationChecks.freeNullIsNoOp,
        "free.releases": AllocationChecks.freeReleases,
        "blocks.no-overlap": AllocationChecks.blocksDoNotOverlap,
    ]

    static let table: [String: Check] = {
        var table: [String: Check] = [:]
        for domain in ["raw", "mem", "obj"] {
            for (suffix, check) in perDomain { table["\(domain).\(suffix)"] = check }
        }
        table["raw.threads.without-gil"] = ThreadChecks.rawWithoutGILFromThreads
        table["mem.threads.gil-holders"] = ThreadChecks.gilHoldersFromThreads
        table["obj.threads.gil-holders"] = ThreadChecks.gilHoldersFromThreads
        table["mem.threads.free-threaded-at-once"] = ThreadChecks.attachedThreadsAtOnce
        table["obj.threads.free-threaded-at-once"] = ThreadChecks.attachedThreadsAtOnce
        table["setallocator.own-gil-interpreters"] = ThreadChecks.ownGILInterpreters
        table["raw.threads.while-runtime-works"] = RuntimeWorkChecks.rawWhileTheRuntimeWorks
        table["raw.threads.while-tracemalloc-traces"] = RuntimeWorkChecks.rawWhileTracemallocTraces
        table["tracemalloc.track.threads-while-starting-stopping"] =
            TraceMallocThreadChecks.trackFromThreadsWhileStartingAndStopping
        table["mem.macros.new-resize-del"] = MacroChecks.newResizeDel
        table["mem.macros.upper-case-family"] = MacroChecks.upperCaseFamily
        return table
    }()
}
