import AllocatorLayers
import CPythonABI
import Checks
import Foundation
import Isolation
import PyRuntime
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// The tracemalloc C API: PyTraceMalloc_Track and PyTraceMalloc_Untrack (3.7+; 3.6 exports
/// them with a leading underscore), observed through the tracemalloc module.
public enum TraceMallocChecks {
    static let domain: UInt32 = 424_242

    /// Python that fails (PyRun_SimpleString returns -1) unless `domain` traces `total` bytes.
    static func tracedBytesAre(_ total: Int) -> String {
        """
        import tracemalloc
        _traces = tracemalloc.take_snapshot().filter_traces([tracemalloc.DomainFilter(True, \(domain))]).traces
        assert sum(t.size for t in _traces) == \(total), sum(t.size for t in _traces)
        """
    }

    typealias Track = @convention(c) (UInt32, UInt, Int) -> Int32
    typealias Untrack = @convention(c) (UInt32, UInt) -> Int32
    public static let pointer: UInt = 0x7000_1000

    /// Runs `body` with the two functions (or what a control put in their place); with
    /// `tracing`, between tracemalloc.start() and stop().
    static func withTraceMalloc(
        _ context: CheckContext, tracing: Bool,
        _ body: (ControlSeams.Track, ControlSeams.Untrack, inout Evidence) -> Void
    ) -> CheckVerdict {
        guard let realTrack = context.library.traceMallocTrack, let realUntrack = context.library.traceMallocUntrack
        else {
            return .fail("the library exports neither PyTraceMalloc_Track/Untrack nor _PyTraceMalloc_Track/Untrack")
        }
        let track = context.seams.track ?? { realTrack($0, $1, $2) }
        let untrack = context.seams.untrack ?? { realUntrack($0, $1) }
        var evidence = Evidence()
        if tracing {
            guard context.runtime.run("import tracemalloc; tracemalloc.start()") else {
                return .fail("tracemalloc.start() raised")
            }
        }
        body(track, untrack, &evidence)
        _ = realUntrack(domain, pointer)
        if tracing { context.runtime.run("import tracemalloc; tracemalloc.stop()") }
        return evidence.verdict
    }

    public static func disabledReturnsMinusTwo(_ context: CheckContext) -> CheckVerdict {
        withTraceMalloc(context, tracing: false) { track, untrack, evidence in
            let tracked = track(domain, pointer, 100)
            let untracked = untrack(domain, pointer)
            evidence.expect(tracked == -2, "Track with tracemalloc off returned \(tracked), expected -2")
            evidence.expect(untracked == -2, "Untrack with tracemalloc off returned \(untracked), expected -2")
        }
    }

    public static func trackSucceeds(_ context: CheckContext) -> CheckVerdict {
        withTraceMalloc(context, tracing: true) { track, _, evidence in
            let result = track(domain, pointer, 100)
            evidence.expect(result == 0, "Track of a new block returned \(result), expected 0")
            evidence.expect(
                context.runtime.run(tracedBytesAre(100)), "the tracked 100-byte block is not in the snapshot")
        }
    }

    public static func trackUpdatesExisting(_ context: CheckContext) -> CheckVerdict {
        withTraceMalloc(context, tracing: true) { track, _, evidence in
            let first = track(domain, pointer, 100)
            let second = track(domain, pointer, 250)
            evidence.expect(first == 0 && second == 0, "Track returned \(first) then \(second), expected 0 and 0")
            evidence.expect(
                context.runtime.run(tracedBytesAre(250)),
                "tracking the same block again did not replace its trace with 250 bytes")
        }
    }

    public static func untrackRemovesTrace(_ context: CheckContext) -> CheckVerdict {
        withTraceMalloc(context, tracing: true) { track, untrack, evidence in
            _ = track(domain, pointer, 100)
            let result = untrack(domain, pointer)
            evidence.expect(result == 0, "Untrack of a tracked block returned \(result), expected 0")
            evidence.expect(context.runtime.run(tracedBytesAre(0)), "the untracked block is still traced")
        }
    }

    public static func untrackUntrackedIsNoOp(_ context: CheckContext) -> CheckVerdict {
        withTraceMalloc(context, tracing: true) { track, untrack, evidence in
            _ = track(domain, pointer, 100)
            let result = untrack(domain, pointer + 64)
            evidence.expect(result == 0, "Untrack of a block never tracked returned \(result), expected 0")
            evidence.expect(
                context.runtime.run(tracedBytesAre(100)), "untracking an untracked block changed the traces")
        }
    }
}

/// The allocator set-up a target starts with: the default allocators of its build, and each
/// PYTHONMALLOC name.
public enum AllocatorSetupChecks {
    /// What is in effect matches the mode: hooks on each domain or not, pymalloc arenas or not,
    /// and the allocator name CPython reports (3.7+).
    public static func modeInEffect(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        let target = context.target
        let mode = context.mode
        let expectHooks = mode.expectsDebugHooks(debugBuild: target.debugBuild)
        for domain in AllocatorDomain.allCases {
            evidence.expect(
                context.library.debugHooksInstalled(domain) == expectHooks,
                "\(domain) debug hooks \(expectHooks ? "missing" : "present")")
        }
        let name = target.expectedAllocatorName(in: mode)
        if context.runtime.reportsAllocatorName {
            let reported = context.runtime.reportedAllocatorName
            evidence.expect(
                reported == name,
                "CPython reports the allocator name "
                    + "\(reported.map { "'\($0)'" } ?? "NULL (allocators it does not know)"), expected " + "'\(name)'")
        }
        let underlying = target.underlyingAllocator(in: mode)
        let arena = context.runtime.observeArenaSize()
        evidence.expect(
            (arena != nil) == (underlying == .pymalloc),
            underlying == .pymalloc ? "pymalloc took no arena" : "an arena was taken though pymalloc is off")
        if underlying == .malloc {
            // Small OBJ blocks come from the C library's heap, not from arenas or mappings.
            let (count, size) = (4096, 64)
            for domain in [AllocatorDomain.mem, .obj] {
                let grown = heapGrowth(context.library.functions(domain), count: count, size: size)
                evidence.expect(
                    grown >= count * size,
                    "\(count) " + "\(domain.functionPrefix)Malloc(\(size)) calls grew the C library's heap by "
                        + "\(grown) bytes: malloc does not serve them")
            }
        }
        return evidence.verdict
    }

    /// How much the C library's heap (glibc's mallinfo2) grows while `count` blocks of `size`
    /// are live; the blocks are freed again. The largest of three measurements counts: the heap is
    /// the process's, and anything else freeing memory between two readings makes it seem to grow
    /// less, while a domain that malloc does not serve grows it by nothing each time.
    static func heapGrowth(
        _ functions: DomainFunctions, _ call: HeapCall = .malloc, count: Int, size: Int
    ) -> Int {
        (0..<3).map { _ in heapGrowthOnce(functions, call, count: count, size: size) }.max() ?? 0
    }

    /// The calls the C library's heap is watched through: malloc and calloc of `size` bytes,
    /// realloc of a 16-byte block to `size`, free of a `size`-byte block (whose growth is how
    /// much the heap shrank).
    enum HeapCall: String, CaseIterable {
        case malloc, calloc, realloc, free

        /// The least the heap must grow (shrink, for free) when `count` blocks go through it. A
        /// realloc gives back its small block's chunk (16 bytes, the debug hooks' words, malloc's
        /// header and rounding: under 128 bytes) as it takes the large one.
        func least(count: Int, size: Int) -> Int { count * (self == .realloc ? size - 128 : size) }
    }

    /// One measurement. Nothing but the calls measured runs between the two readings: the
    /// pointers go to storage taken beforehand (a Swift array growing there would free its old
    /// buffers, and the heap would seem to grow less).
    static func heapGrowthOnce(_ functions: DomainFunctions, _ call: HeapCall, count: Int, size: Int) -> Int {
        let blocks = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: count)
        defer { blocks.deallocate() }
        for index in 0..<count {
            blocks[index] = call == .realloc ? functions.malloc(16) : call == .free ? functions.malloc(size) : nil
        }
        let before = Int(pmc_malloc_bytes_in_use())
        for index in 0..<count {
            switch call {
            case .malloc: blocks[index] = functions.malloc(size)
            case .calloc: blocks[index] = functions.calloc(1, size)
            case .realloc: blocks[index] = functions.realloc(blocks[index], size)
            case .free: functions.free(blocks[index])
            }
        }
        let after = Int(pmc_malloc_bytes_in_use())
        var complete = true
        for index in 0..<count {
            if blocks[index] == nil { complete = false }
            if call != .free { functions.free(blocks[index]) }
        }
        return complete ? (call == .free ? before - after : after - before) : 0
    }

    /// The RAW domain uses the C library's malloc, calloc, realloc and free (the documents'
    /// "malloc" legend): the bytes malloc has handed out (glibc's mallinfo2) grow by at least
    /// what PyMem_RawMalloc, PyMem_RawCalloc and PyMem_RawRealloc were asked for, and shrink by
    /// at least what PyMem_RawFree gave back; no pymalloc arena is taken. 40 KiB blocks stay
    /// below glibc's mmap threshold, so malloc serves them from its heap.
    public static func rawIsMalloc(_ context: CheckContext) -> CheckVerdict {
        var evidence = Evidence()
        let counter = ArenaCounter(library: context.library)
        let (count, size) = (16, 40 << 10)
        var short = false
        for call in HeapCall.allCases {
            let grown = heapGrowth(context.library.raw, call, count: count, size: size)
            let least = call.least(count: count, size: size)
            if grown < least { short = true }
            evidence.expect(
                grown >= least,
                "\(count) PyMem_Raw\(call.rawValue.capitalized)(\(size)) calls "
                    + "\(call == .free ? "shrank" : "grew") the C library's heap by \(grown) bytes: "
                    + "they were not served by \(call.rawValue)")
        }
        counter.uninstall()
        evidence.expect(counter.allocations == 0, "PyMem_Raw* took pymalloc arenas")
        // The one observation a deviation may record: RAW served, below any debug hook, by code
        // of libpython's own that keeps off malloc's heap (3.15's mimalloc modes). An allocator
        // of anyone else's on top of RAW (a negative control's) is not that.
        let own = PythonLibrary.isInLibpython(servingMalloc(.raw, context))
        let elsewhere = short && counter.allocations == 0 && own
        return evidence.verdict.observing(elsewhere ? "RAW served by libpython's own allocator" : nil)
    }

    /// The malloc function that serves `domain`: the allocator in place, or the one under its debug hook.
    static func servingMalloc(_ domain: AllocatorDomain, _ context: CheckContext) -> UnsafeRawPointer? {
        let top = context.library.allocator(domain)
        let served = PythonLibrary.slotInside(debugHook: top, for: domain)?.pointee ?? top
        return unsafeBitCast(served.malloc, to: UnsafeRawPointer?.self)
    }

    /// A name PYTHONMALLOC does not know (mimalloc before 3.13) makes python refuse to start.
    public static func unknownNameRefused(_ context: CheckContext, name: String) -> CheckVerdict {
        let name = context.seams.pythonMallocName ?? name
        // That python runs the target's library is verified first: refusing the name, it runs nothing.
        if case .failure(let error) = TargetExecutable.run(context, program: "pass", environment: [:]) {
            return error.verdict
        }
        let outcome: ChildOutcome
        switch TargetExecutable.run(
            context, program: "pass", environment: ["PYTHONMALLOC": name], verifyLibrary: false)
        {
        case .failure(let error): return error.verdict
        case .success(let ran): outcome = ran
        }
        return outcome.exitStatus != 0 && outcome.stderr.contains("PYTHONMALLOC")
            ? .pass(exercised: 1)
            : .fail("PYTHONMALLOC=\(name) python: \(outcome.summary), stderr '\(outcome.stderr.prefix(160))'")
    }
}

extension TraceMallocChecks {
    /// PyTraceMalloc_Track returns -1 when the memory to store the trace cannot be had: tracemalloc
    /// takes its own memory from the RAW allocator it found at tracemalloc.start() (3.9+), so a
    /// layer installed on RAW before the start makes those allocations fail.
    public static func trackFailsWithoutMemory(_ context: CheckContext) -> CheckVerdict {
        let library = context.library
        guard let realTrack = library.traceMallocTrack, let realUntrack = library.traceMallocUntrack else {
            return .fail("the library exports no PyTraceMalloc_Track/Untrack")
        }
        let track = context.seams.track ?? { realTrack($0, $1, $2) }
        let layer = RecordingLayer.installOnTop(of: .raw, in: library)
        var evidence = Evidence()
        guard context.runtime.run("import tracemalloc; tracemalloc.start()") else {
            layer.uninstall()
            return .fail("tracemalloc.start() raised")
        }
        layer.reset()
        for function in [RecordingLayer.Function.malloc, .calloc, .realloc] { layer.fail(function, count: 1_000) }
        let starved = track(domain + 1, pointer, 100)
        layer.disarm()
        let refused = layer.calls.contains { $0.result == 0 && $0.function != .free }
        evidence.expect(refused, "PyTraceMalloc_Track asked the RAW allocator for nothing: no failure could be made")
        evidence.expect(
            starved == -1,
            "PyTraceMalloc_Track returned \(starved) when its memory could not be allocated, expected -1")
        let fed = track(domain + 1, pointer, 100)
        evidence.expect(fed == 0, "PyTraceMalloc_Track returned \(fed) once memory was there again, expected 0")
        _ = realUntrack(domain + 1, pointer)
        context.runtime.run("import tracemalloc; tracemalloc.stop()")
        layer.uninstall()
        return evidence.verdict
    }
}
