import CPythonABI

/// A counting arena allocator wrapped around the one installed (PyObject_SetArenaAllocator):
/// it observes whether pymalloc takes arenas, and of which size.
public final class ArenaCounter {
    struct State {
        var previous: PMCArenaAllocator
        var allocations = 0
        var frees = 0
        var lastSize = 0
        var allocated: Set<UInt> = []
        var freed: Set<UInt> = []
        var freedSizes: [Int] = []
    }

    private let library: PythonLibrary
    private let state: UnsafeMutablePointer<State>

    public var allocations: Int { state.pointee.allocations }
    public var frees: Int { state.pointee.frees }
    /// The size of the last arena requested, 0 when none was.
    public var lastArenaSize: Int { state.pointee.lastSize }
    public var allocatedPointers: Set<UInt> { state.pointee.allocated }
    public var freedPointers: Set<UInt> { state.pointee.freed }
    public var freedSizes: [Int] { state.pointee.freedSizes }

    /// Installs the counter on top of the current arena allocator.
    public init(library: PythonLibrary) {
        self.library = library
        state = .allocate(capacity: 1)
        state.initialize(to: State(previous: library.arenaAllocator))
        library.arenaAllocator = PMCArenaAllocator(
            ctx: UnsafeMutableRawPointer(state),
            alloc: { ctx, size in
                let state = ctx!.assumingMemoryBound(to: State.self)
                state.pointee.allocations += 1
                state.pointee.lastSize = size
                let arena = state.pointee.previous.alloc(state.pointee.previous.ctx, size)
                state.pointee.allocated.insert(UInt(bitPattern: arena))
                return arena
            },
            free: { ctx, pointer, size in
                let state = ctx!.assumingMemoryBound(to: State.self)
                state.pointee.frees += 1
                state.pointee.freed.insert(UInt(bitPattern: pointer))
                state.pointee.freedSizes.append(size)
                state.pointee.previous.free(state.pointee.previous.ctx, pointer, size)
            })
    }

    /// Puts the previous arena allocator back. Arenas taken through the counter are later freed
    /// by the previous one, which is where the counter got them from. The state stays allocated
    /// on purpose: a copy of the struct may still be held by CPython code that is mid-call.
    public func uninstall() {
        library.arenaAllocator = state.pointee.previous
    }
}

extension PythonRuntime {
    /// Allocates small OBJ blocks until an arena is requested (or a cap is reached), frees them,
    /// and returns the arena size seen, or nil when no arena was requested (pymalloc not in use).
    /// 128-byte blocks stay under pymalloc's 512-byte threshold even with debug-hook padding.
    public func observeArenaSize(blockSize: Int = 128, cap: Int = 65_536) -> Int? {
        let counter = ArenaCounter(library: library)
        defer { counter.uninstall() }
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(cap)
        while counter.allocations == 0 && blocks.count < cap {
            guard let block = library.obj.malloc(blockSize) else { break }
            blocks.append(block)
        }
        for block in blocks { library.obj.free(block) }
        return counter.allocations > 0 ? counter.lastArenaSize : nil
    }
}
