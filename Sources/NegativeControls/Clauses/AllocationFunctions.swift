import AllocatorLayers
import Checks
import DebugHookChecks
import PyRuntime
import RuntimeChecks

extension ClauseRegistry {
    /// The clauses the Raw Memory Interface, Memory Interface and Object allocators sections
    /// share: each is stated once per domain ("raw.", "mem.", "obj." ids) and checked by the
    /// same code, which reads the domain from the clause.
    static func allocationFunctions(_ domain: String) -> [Registration] {
        [
            Registration(
                "\(domain).malloc.zero-size-distinct",
                check: AllocationChecks.zeroSizeMalloc,
                control: onTop("every zero-size request gets the same block") { _, _ in
                    SharedZeroBlock()
                }),
            Registration(
                "\(domain).calloc.zero-size-distinct",
                check: AllocationChecks.zeroSizeCalloc,
                control: onTop("every zero-size request gets the same block") { _, _ in
                    SharedZeroBlock()
                }),
            Registration(
                "\(domain).calloc.zeroes",
                check: AllocationChecks.callocZeroes,
                control: onTop("calloc is malloc: the block is not zeroed") { _, _ in CallocNotZeroed() }),
            Registration(
                "\(domain).calloc.overflow-fails",
                check: AllocationChecks.callocOverflowFails,
                control: unguarded(
                    "calloc multiplies nelem by elsize in 32 bits without an overflow check"
                ) { CallocWraps() }),
            Registration(
                "\(domain).malloc.above-ssize-max-fails",
                check: AllocationChecks.aboveSsizeMaxFails,
                control: unguarded("requests above PY_SSIZE_T_MAX get 16 bytes") {
                    HugeRequestsServed()
                }),
            Registration(
                "\(domain).realloc.null-is-malloc",
                check: AllocationChecks.reallocNullIsMalloc,
                control: onTop("realloc(NULL, n) returns NULL") { _, _ in ReallocNullFails() }),
            Registration(
                "\(domain).realloc.zero-resizes",
                check: AllocationChecks.reallocToZeroResizes,
                control: onTop("realloc(p, 0) returns NULL") { _, _ in ReallocZeroFails() }),
            Registration(
                "\(domain).realloc.keeps-contents",
                check: AllocationChecks.reallocKeepsContents,
                control: onTop("realloc loses the first byte of the contents") { _, _ in
                    ReallocLosesFirstByte()
                }),
            Registration(
                "\(domain).realloc.failure-keeps-block",
                check: AllocationChecks.reallocFailureKeepsBlock,
                control: unguarded("a failed realloc damages the block it keeps") {
                    FailedReallocDamages()
                }),
            Registration(
                "\(domain).realloc.injected-failure-keeps-block",
                check: FaultInjectionChecks.reallocFailureInjected,
                control: onTop("a failed realloc damages the block it keeps") { _, _ in
                    FailedReallocDamages()
                }),
            Registration(
                "\(domain).free.null-no-op",
                check: AllocationChecks.freeNullIsNoOp,
                control: onTop("free(NULL) damages the block handed out last") { _, _ in FreeNullDamages() }),
            Registration(
                "\(domain).free.releases",
                check: AllocationChecks.freeReleases,
                control: onTop("free hands no block back: each one is kept") { _, _ in FreeKeepsBlocks() }),
            Registration(
                "\(domain).blocks.no-overlap",
                check: AllocationChecks.blocksDoNotOverlap,
                control: onTop("about every fourth block is carved out of the previous one") { _, _ in
                    OverlappingBlocks()
                }),
        ]
    }
}
