import XCTest

/// Customize Memory Allocators: Conformance/30-customize-memory-allocators.yaml.
final class CustomizeMemoryAllocatorsTests: XCTestCase {
    /// setallocator.get-set-round-trip: PyMem_GetAllocator returns the allocator PyMem_SetAllocator installed for
    /// the domain, all five fields.
    func test_setallocator_get_set_round_trip() throws { try conform("setallocator.get-set-round-trip") }

    /// setallocator.own-gil-interpreters: From 3.12 the MEM and OBJ allocators may be called in different
    /// interpreters that do not share a GIL: four such interpreters allocate at once, each its own blocks.
    func test_setallocator_own_gil_interpreters() throws { try conform("setallocator.own-gil-interpreters") }

    /// setallocator.ctx-passed: The ctx of the installed PyMemAllocatorEx is passed as the first argument of every
    /// call of the domain's functions.
    func test_setallocator_ctx_passed() throws { try conform("setallocator.ctx-passed") }

    /// setallocator.arguments-passed-through: The domain's functions pass their arguments to the installed
    /// allocator unchanged: calloc keeps nelem and elsize apart, realloc gets the pointer and new [...]
    func test_setallocator_arguments_passed_through() throws { try conform("setallocator.arguments-passed-through") }

    /// setallocator.hook-sees-every-call: A hook installed after initialisation that wraps the previous allocator
    /// sees every call of its domain.
    func test_setallocator_hook_sees_every_call() throws { try conform("setallocator.hook-sees-every-call") }

    /// setallocator.setup-debug-hooks-reinstalls: PyMem_SetupDebugHooks reinstalls the debug hooks on top of a
    /// custom allocator set with PyMem_SetAllocator before initialisation.
    func test_setallocator_setup_debug_hooks_reinstalls() throws {
        try conform("setallocator.setup-debug-hooks-reinstalls")
    }

    /// setupdebughooks.runtime: PyMem_SetupDebugHooks installs the debug hooks on every domain on top of the
    /// default allocators (release builds too since 3.6).
    func test_setupdebughooks_runtime() throws { try conform("setupdebughooks.runtime") }

    /// setallocator.obj-before-init-keeps-gc: an OBJ allocator installed before initialisation, wrapper or
    /// replacement, leaves cycles collected.
    func test_setallocator_obj_before_init_keeps_gc() throws { try conform("setallocator.obj-before-init-keeps-gc") }
}
