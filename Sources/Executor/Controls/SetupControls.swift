import AllocatorLayers
import CPythonABI
import PyRuntime

/// Controls of the allocator set-up, pymalloc and tracemalloc clauses.
extension ClauseControls {
    /// The mode's allocators replaced by a foreign one over anonymous mappings on every domain:
    /// hooks out of sight, no arena taken, nothing from malloc's heap, no name CPython knows.
    static let modeReplaced = onTop(
        "every domain's allocator is replaced by one over anonymous mappings", registered: false,
        domains: AllocatorDomain.allCases
    ) { _, _ in ServedByLibc(source: .mappings) }

    static let setup: [String: Control] = [
        "default.release-build": modeReplaced,
        "default.debug-build": modeReplaced,
        "pythonmalloc.malloc": modeReplaced,
        "pythonmalloc.pymalloc": modeReplaced,
        "pythonmalloc.debug": modeReplaced,
        "pythonmalloc.malloc_debug": modeReplaced,
        "pythonmalloc.pymalloc_debug": modeReplaced,
        "setupdebughooks.runtime": modeReplaced,
        "mimalloc.pythonmalloc-mimalloc": modeReplaced,
        "mimalloc.pythonmalloc-mimalloc-debug": modeReplaced,
        "default.raw-is-malloc": onTop("the RAW domain is served from anonymous mappings, not malloc", domains: [.raw])
        { _, _ in
            ServedByLibc(source: .mappings)
        },
        "mimalloc.absent-before-3.13": Control(violation: "python is given a PYTHONMALLOC name it knows (malloc)") {
            context in
            context.seams.pythonMallocName = "malloc"
        },
        "pythonmalloc.free-threaded-names": Control(violation: "the fresh runtime is given a name it has (mimalloc)") {
            context in
            context.seams.freshStart = { $0.allocators = .pythonMalloc("mimalloc") }
        },
        "preconfig.free-threaded-allocators": Control(
            violation: "PyPreConfig.allocator asks for an allocator the build has (PYMEM_ALLOCATOR_MIMALLOC)"
        ) { context in
            context.seams.freshStart = { $0.allocators = .preConfig(.mimalloc) }
        },
        "setallocator.obj-before-init-keeps-gc": Control(
            violation: "the fresh runtime keeps a reference to the cycle it drops, as a collector that misses it would"
        ) { context in
            context.seams.freshStart = { $0.keepCycle = true }
        },
        "setallocator.get-set-round-trip": overInstalled(
            "PyMem_SetAllocator puts another allocator over the one given"
        ) {
            OneByteMore()
        },
        "setallocator.arguments-passed-through": overInstalled(
            "the sizes reach an installed allocator one byte larger"
        ) {
            OneByteMore()
        },
        "setallocator.ctx-passed": overInstalled("an installed allocator is called with another ctx") {
            PassesAnotherContext()
        },
        "setallocator.hook-sees-every-call": overInstalled(
            "requests under 64 bytes are served without reaching the installed allocator"
        ) {
            ServedByLibc { $0 < 64 }
        },
        "mem.macros.upper-case-family": overInstalled(
            "requests reach the MEM domain's allocator only after being served elsewhere"
        ) {
            ServedByLibc()
        },
        "setallocator.setup-debug-hooks-reinstalls": Control(
            violation: "the custom allocators are put back on top after PyMem_SetupDebugHooks()"
        ) { context in
            context.seams.scenarioControl = true
        },
    ]

    /// Plants `defect` over every allocator a check installs itself (PyMem_SetAllocator).
    static func overInstalled(_ violation: String, _ defect: @escaping @Sendable () -> Defect) -> Control {
        Control(violation: violation) { context in
            let library = context.library
            var planting = false
            library.installObserver = { domain in
                guard !planting else { return }
                planting = true
                defer { planting = false }
                defect().install(onTopOf: domain, in: library)
            }
        }
    }

    static let pymalloc: [String: Control] = [
        "pymalloc.threshold-512": onTop("requests above 256 bytes are served from the C library, not the RAW domain") {
            _, _ in
            ServedByLibc { $0 > 256 }
        },
        "pymalloc.arena-size.256kib": objectsFromLibc,
        "pymalloc.arena-size.1mib": objectsFromLibc,
        "pymalloc.arena-allocator.get-set": objectsFromLibc,
        "pymalloc.disabled-by-pythonmalloc-malloc": onTop("the object allocator takes an arena", domains: [.obj]) {
            context, _ in
            TakesAnArena(context.library)
        },
        "pymalloc.arenas.anonymous-mappings": Control(
            violation: "arenas come from malloc, not from mappings of their own"
        ) { context in
            ArenasFromMalloc.install(in: context.library)
        },
        "pymalloc.mallocstats": Control(
            violation: "python is killed before it exits (before the statistics are printed)"
        ) { context in
            context.seams.pythonProgram = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
        },
    ]

    static let objectsFromLibc = onTop(
        "the object allocator is served from the C library, not pymalloc", domains: [.obj]
    ) { _, _ in
        ServedByLibc()
    }

    /// Track and Untrack made to take the GIL first, as 3.13's did.
    static let takesTheGIL = Control(violation: "PyTraceMalloc_Track and _Untrack take the GIL before anything else") {
        context in
        let library = context.library
        let (track, untrack) = (library.traceMallocTrack, library.traceMallocUntrack)
        context.seams.track = { domain, pointer, size in
            let state = library.gilStateEnsure()
            defer { library.gilStateRelease(state) }
            return track?(domain, pointer, size) ?? -1
        }
        context.seams.untrack = { domain, pointer in
            let state = library.gilStateEnsure()
            defer { library.gilStateRelease(state) }
            return untrack?(domain, pointer) ?? -1
        }
    }

    static let traceMalloc: [String: Control] = [
        "tracemalloc.not-tracing-needs-no-gil": takesTheGIL,
        "tracemalloc.untrack.needs-no-gil": takesTheGIL,
        "tracemalloc.track.needs-no-gil": takesTheGIL,
        "tracemalloc.track.threads-while-starting-stopping": Control(
            violation: "PyTraceMalloc_Track and _Untrack, called from the threads, succeed while tracemalloc is off"
        ) { context in
            context.seams.threadTrack = unsafeBitCast(
                pmc_track_succeeds_always as @convention(c) (UInt32, UInt, Int) -> Int32,
                to: UnsafeMutableRawPointer.self)
            context.seams.threadUntrack = unsafeBitCast(
                pmc_untrack_succeeds_always as @convention(c) (UInt32, UInt) -> Int32, to: UnsafeMutableRawPointer.self
            )
        },
        "tracemalloc.track.disabled": Control(
            violation: "PyTraceMalloc_Track and _Untrack succeed while tracemalloc is off"
        ) { context in
            context.seams.track = { _, _, _ in 0 }
            context.seams.untrack = { _, _ in 0 }
        },
        "tracemalloc.track.success": Control(violation: "PyTraceMalloc_Track records one byte more than asked") {
            context in
            let real = context.library.traceMallocTrack
            context.seams.track = { domain, pointer, size in real?(domain, pointer, size + 1) ?? -1 }
        },
        "tracemalloc.track.update": Control(violation: "PyTraceMalloc_Track keeps the first trace of a block") {
            context in
            let real = context.library.traceMallocTrack
            let seen = Box<Set<UInt>>([])
            context.seams.track = { domain, pointer, size in
                guard seen.value.insert(pointer).inserted else { return 0 }
                return real?(domain, pointer, size) ?? -1
            }
        },
        "tracemalloc.track.no-memory": Control(
            violation: "PyTraceMalloc_Track returns 0 whether or not its trace could be stored"
        ) { context in
            let real = context.library.traceMallocTrack
            context.seams.track = { domain, pointer, size in
                _ = real?(domain, pointer, size)
                return 0
            }
        },
        "tracemalloc.untrack.tracked": Control(violation: "PyTraceMalloc_Untrack returns 0 and removes nothing") {
            context in
            context.seams.untrack = { _, _ in 0 }
        },
        "tracemalloc.untrack.untracked": Control(
            violation: "PyTraceMalloc_Untrack removes the domain's tracked block whatever it is given"
        ) {
            context in
            let real = context.library.traceMallocUntrack
            context.seams.untrack = { domain, _ in real?(domain, TraceMallocChecks.pointer) ?? -1 }
        },
    ]
}

/// A value a planted closure changes (planted closures run in one forked child, one thread).
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
