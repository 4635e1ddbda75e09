/// The PYTHONMALLOC names a free-threaded build refuses. Its _PyMem_GetAllocatorName
/// (Objects/obmalloc.c, 3.13+) knows only default, debug, mimalloc and mimalloc_debug under
/// Py_GIL_DISABLED, so Py_PreInitialize fails with "PYTHONMALLOC: unknown allocator" for the
/// others: MEM and OBJ must be mimalloc's, which the free-threaded runtime finds objects through.
/// The clause default.free-threaded-modes checks that the build does refuse each of them.
public enum FreeThreadedModes {
    /// CPython's own words for the refusal (Python/preconfig.c, preconfig_init_allocator).
    public static let refusalMessage = "PYTHONMALLOC: unknown allocator"

    /// The modes a free-threaded build has no allocator for.
    public static let refused: [AllocatorMode] = [.malloc, .pymalloc, .mallocDebug, .pymallocDebug]

    /// Why `mode` cannot run on the free-threaded build `id`, or nil when it can.
    public static func refusal(of mode: AllocatorMode, on id: String) -> String? {
        guard refused.contains(mode) else { return nil }
        return "\(id) is free-threaded: PYTHONMALLOC=\(mode.name) is refused (\"\(refusalMessage)\"); "
            + "MEM and OBJ are mimalloc's"
    }
}
