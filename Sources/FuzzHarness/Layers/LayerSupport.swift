import CPythonABI

/// A pymemcheck allocator layer: an object behind a PMCMemAllocatorEx whose ctx points back to
/// it; subclasses override the four functions. The ctx is retained forever, because CPython
/// may still call through a copy of the struct after the layer is taken out.
class AllocatorHook: @unchecked Sendable {
    let below: Below

    init(below: PMCMemAllocatorExBox) { self.below = Below(allocator: below.value) }

    func malloc(_ size: Int) -> UnsafeMutableRawPointer? { below.malloc(size) }
    func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? { below.calloc(count, size) }
    func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? { below.realloc(pointer, size) }
    func free(_ pointer: UnsafeMutableRawPointer?) { below.free(pointer) }
}

/// A PMCMemAllocatorEx crossing into a layer's initialiser (a plain C struct of pointers).
struct PMCMemAllocatorExBox: @unchecked Sendable {
    let value: PMCMemAllocatorEx
}

/// Builds the C struct that routes into `hook` (C function pointers cannot capture: the hook
/// comes back from ctx, and the class dispatches to the layer's own functions).
func allocatorStruct(for hook: AllocatorHook) -> PMCMemAllocatorEx {
    let ctx = Unmanaged.passRetained(hook).toOpaque()
    return PMCMemAllocatorEx(ctx: ctx, malloc: { ctx, size in
        Unmanaged<AllocatorHook>.fromOpaque(ctx!).takeUnretainedValue().malloc(size)
    }, calloc: { ctx, count, size in
        Unmanaged<AllocatorHook>.fromOpaque(ctx!).takeUnretainedValue().calloc(count, size)
    }, realloc: { ctx, pointer, size in
        Unmanaged<AllocatorHook>.fromOpaque(ctx!).takeUnretainedValue().realloc(pointer, size)
    }, free: { ctx, pointer in
        Unmanaged<AllocatorHook>.fromOpaque(ctx!).takeUnretainedValue().free(pointer)
    })
}

/// Calls into the allocator a layer wraps.
struct Below: @unchecked Sendable {
    let allocator: PMCMemAllocatorEx

    func malloc(_ size: Int) -> UnsafeMutableRawPointer? { allocator.malloc(allocator.ctx, size) }
    func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? { allocator.calloc(allocator.ctx, count, size) }
    func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        allocator.realloc(allocator.ctx, pointer, size)
    }
    func free(_ pointer: UnsafeMutableRawPointer?) { allocator.free(allocator.ctx, pointer) }
}
