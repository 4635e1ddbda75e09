import AllocatorLayers
import CPythonABI
import PyRuntime

/// A negative control: a violation of exactly one clause, planted in a running target before
/// the clause's check runs (in a forked child, so that nothing planted outlives it). Under it
/// the check must fail; without it, it passes. A check that cannot be made to fail this way
/// proves nothing when it passes.
public struct Control: Sendable {
    /// What is planted, in words (shown by `check --controls`).
    public let violation: String
    let plant: @Sendable (inout CheckContext) -> Void
}

/// Every clause id mapped to its control. CatalogueAgreementTests checks that every clause
/// has one; NegativeControlTests that each makes its clause fail.
public enum ClauseControls {
    public static let registry: [String: Control] = {
        var all = perDomain
        all.merge(debugHooks) { _, _ in preconditionFailure("a clause has two controls") }
        all.merge(setup) { _, _ in preconditionFailure("a clause has two controls") }
        all.merge(pymalloc) { _, _ in preconditionFailure("a clause has two controls") }
        all.merge(traceMalloc) { _, _ in preconditionFailure("a clause has two controls") }
        return all
    }()

    public static func control(for id: String) -> Control? { registry[id] }
    public static var ids: Set<String> { Set(registry.keys) }

    /// A control that plants `defect` (made per domain) on top of each domain of the clause.
    static func onTop(
        _ violation: String, registered: Bool = true,
        domains: [AllocatorDomain]? = nil,
        _ defect: @escaping @Sendable (CheckContext, AllocatorDomain) -> Defect
    ) -> Control {
        Control(violation: violation) { context in
            for domain in domains ?? context.domains {
                defect(context, domain).install(onTopOf: domain, in: context.library, registered: registered)
            }
        }
    }

    static func frame(_ context: CheckContext, _ domain: AllocatorDomain) -> HookFrame {
        HookFrame(library: context.library, domain: domain, version: context.version)
    }

    // MARK: the allocation functions (raw., mem., obj.)

    static let perDomain: [String: Control] = {
        let shared: [String: Control] = [
            "malloc.zero-size-distinct": onTop("every zero-size request gets the same block") { _, _ in
                SharedZeroBlock()
            },
            "calloc.zero-size-distinct": onTop("every zero-size request gets the same block") { _, _ in
                SharedZeroBlock()
            },
            "calloc.zeroes": onTop("calloc is malloc: the block is not zeroed") { _, _ in CallocNotZeroed() },
            "calloc.overflow-fails": unguarded(
                "calloc multiplies nelem by elsize in 32 bits without an overflow check"
            ) { CallocWraps() },
            "malloc.above-ssize-max-fails": unguarded("requests above PY_SSIZE_T_MAX get 16 bytes") {
                HugeRequestsServed()
            },
            "realloc.null-is-malloc": onTop("realloc(NULL, n) returns NULL") { _, _ in ReallocNullFails() },
            "realloc.zero-resizes": onTop("realloc(p, 0) returns NULL") { _, _ in ReallocZeroFails() },
            "realloc.keeps-contents": onTop("realloc loses the first byte of the contents") { _, _ in
                ReallocLosesFirstByte()
            },
            "realloc.failure-keeps-block": unguarded("a failed realloc damages the block it keeps") {
                FailedReallocDamages()
            },
            "realloc.injected-failure-keeps-block": onTop("a failed realloc damages the block it keeps") { _, _ in
                FailedReallocDamages()
            },
            "free.null-no-op": onTop("free(NULL) damages the block handed out last") { _, _ in FreeNullDamages() },
            "free.releases": onTop("free hands no block back: each one is kept") { _, _ in FreeKeepsBlocks() },
            "blocks.no-overlap": onTop("about every fourth block is carved out of the previous one") { _, _ in
                OverlappingBlocks()
            },
        ]
        var table: [String: Control] = [:]
        for domain in ["raw", "mem", "obj"] {
            for (suffix, control) in shared { table["\(domain).\(suffix)"] = control }
        }
        let offThread = onTop("calls from any thread but the main one fail") { _, _ in FailsOffItsThread() }
        table["raw.threads.without-gil"] = offThread
        // Above tracemalloc's hook, planted once it traces: a hook that takes the GIL (the
        // deviation up to 3.14) would otherwise hide any defect below it.
        table["raw.threads.while-tracemalloc-traces"] = Control(
            violation: "calls from any thread but the main one fail (planted above tracemalloc's hook)"
        ) { context in
            context.seams.whileTracing = { library in
                _ = FailsOffItsThread().install(onTopOf: .raw, in: library, registered: false)
            }
        }
        table["raw.threads.while-runtime-works"] = onTop("a RAW call from a thread with no thread state takes the GIL")
        {
            context, _ in WaitsForTheGIL(context.library)
        }
        table["mem.threads.gil-holders"] = offThread
        table["obj.threads.gil-holders"] = offThread
        table["setallocator.own-gil-interpreters"] = offThread
        let oneAtATime = overInstalled(
            "the domain's calls are made one at a time, under a lock held through each call"
        ) {
            SerialisedCalls()
        }
        table["mem.threads.free-threaded-at-once"] = oneAtATime
        table["obj.threads.free-threaded-at-once"] = oneAtATime
        table["mem.macros.new-resize-del"] = onTop(
            "PyMem_Realloc loses the first byte of the contents", domains: [.mem]
        ) { _, _ in
            ReallocLosesFirstByte()
        }
        return table
    }()

    // MARK: the debug hooks

    static let debugHooks: [String: Control] = {
        let touches = onTop(
            "fresh memory does not keep the bytes the hooks wrote (first byte of malloc, last of realloc cleared)"
        ) { _, _ in
            TouchesFreshBytes()
        }
        let oneMore = onTop("every request reaches the hooks one byte larger than asked") { _, _ in OneByteMore() }
        let repairs = onTop("the API id and pads are written back before free and realloc check them") {
            context, domain in
            RepairsBlocks(frame(context, domain))
        }
        return [
            "debug.hooks-installed": onTop(
                "an allocator over the C library replaces the hooks on every domain", registered: false,
                domains: AllocatorDomain.allCases
            ) { _, _ in ServedByLibc() },
            "debug.cleanbyte.malloc": touches,
            "debug.cleanbyte.realloc-grow": touches,
            "debug.bytes.cb-db-fb": touches,
            "debug.bytes.cd-dd-fd": touches,
            "debug.deadbyte.free": onTop("free hands blocks to the allocator below the hooks without erasing them") {
                context, domain in
                FreeSkipsErase(frame(context, domain))
            },
            "debug.deadbyte.realloc-shrink": onTop(
                "a shrinking realloc scribbles over the bytes it gives up and resizes below the hooks"
            ) {
                context, domain in ShrinkSkipsErase(frame(context, domain))
            },
            "debug.layout.header": oneMore,
            "debug.layout.realloc-calloc": oneMore,
            "debug.layout.no-serial-number": oneMore,
            "debug.layout.serial-number": oneMore,
            "debug.detect.cross-domain-free": routesToOwner,
            "debug.detect.cross-domain-realloc": routesToOwner,
            "debug.detect.overflow": repairs,
            "debug.detect.underflow": repairs,
            "debug.detect.overflow-on-realloc": repairs,
            "debug.detect.api-id-overwrite": repairs,
            "debug.detect.mem-without-gil": onTop("a call without the GIL takes it first") { context, _ in
                TakesTheGIL(context.library)
            },
            "debug.detect.obj-without-gil": onTop("a call without the GIL takes it first") { context, _ in
                TakesTheGIL(context.library)
            },
            // Not TakesTheGIL: it asks PyGILState_Check, which a subinterpreter switched off.
            "debug.detect.without-gil-after-subinterpreter": onTop(
                "a call with no thread state aborts before the hooks can report"
            ) { context, _ in AbortsWithoutThreadState(context.library) },
            "debug.detect.mem-every-function-without-gil": onTop("a call without the GIL takes it first") {
                context, _ in TakesTheGIL(context.library)
            },
            "debug.detect.obj-every-function-without-gil": onTop("a call without the GIL takes it first") {
                context, _ in TakesTheGIL(context.library)
            },
            "debug.detect.double-free": onTop("a block's second free is dropped") { _, _ in IgnoresSecondFree() },
            "debug.detect.underflow-on-realloc": repairs,
            "debug.layout.serial-number-increments": oneMore,
            "debug.report.no-traceback-untraced": Control(
                violation: "the report comparison expects an allocation traceback"
            ) { context in
                context.seams.expectedReport = ["allocation_traceback": .flag(true)]
            },
            "debug.report.tracemalloc-traceback": onTop(
                "each block's trace is dropped before it is freed", domains: [.mem]
            ) { context, _ in
                DropsTraces(context.library)
            },
        ]
    }()

    /// Blocks freed or resized through another domain go to their own domain's allocator.
    static let routesToOwner = Control(
        violation: "free and realloc give each block to the domain whose API id it carries"
    ) { context in
        let library = context.library
        var owners: [UInt8: PMCMemAllocatorEx] = [:]
        for domain in AllocatorDomain.allCases {
            owners[UInt8(ascii: domain.apiID.unicodeScalars.first!)] = library.allocator(domain)
        }
        for domain in AllocatorDomain.allCases {
            RoutesToOwner(frame(context, domain), owners: owners).install(onTopOf: domain, in: library)
        }
    }
}
