import CPythonABI
import PyRuntime

/// A wrapper around pymalloc's arena allocator (PyObject_Get/SetArenaAllocator) whose next
/// arena allocation fails when the fault switch says so: pymalloc then falls back to the RAW
/// domain or returns NULL, its own failure path.
public final class ArenaFaults: @unchecked Sendable {
    let previous: PMCArenaAllocator
    let faults: FaultSwitch

    private init(previous: PMCArenaAllocator, faults: FaultSwitch) {
        self.previous = previous
        self.faults = faults
    }

    /// Installs the wrapper over the arena allocator in place. Retained for ever: pymalloc
    /// frees its arenas through the struct, and may hold a copy of it.
    public static func install(in library: PythonLibrary, faults: FaultSwitch) {
        let wrapper = ArenaFaults(previous: library.arenaAllocator, faults: faults)
        let ctx = Unmanaged.passRetained(wrapper).toOpaque()
        library.arenaAllocator = PMCArenaAllocator(
            ctx: ctx,
            alloc: { ctx, size in
                let wrapper = Unmanaged<ArenaFaults>.fromOpaque(ctx!).takeUnretainedValue()
                if wrapper.faults.take(.arena) { return nil }
                return wrapper.previous.alloc(wrapper.previous.ctx, size)
            },
            free: { ctx, pointer, size in
                let wrapper = Unmanaged<ArenaFaults>.fromOpaque(ctx!).takeUnretainedValue()
                wrapper.previous.free(wrapper.previous.ctx, pointer, size)
            })
    }
}
