import XCTest

/// Object allocators: Conformance/12-object-allocators.yaml.
final class ObjectAllocatorsTests: XCTestCase {
    /// obj.malloc.zero-size-distinct: PyObject_Malloc(0) returns a non-NULL pointer, distinct from every other
    /// live block, as if PyObject_Malloc(1) had been called.
    func test_obj_malloc_zero_size_distinct() throws { try conform("obj.malloc.zero-size-distinct") }

    /// obj.calloc.zero-size-distinct: PyObject_Calloc with zero elements or elements of zero bytes, in either
    /// argument order, returns a distinct non-NULL pointer, as if PyObject_Calloc(1, 1) [...]
    func test_obj_calloc_zero_size_distinct() throws { try conform("obj.calloc.zero-size-distinct") }

    /// obj.calloc.zeroes: PyObject_Calloc initialises the memory to zeros.
    func test_obj_calloc_zeroes() throws { try conform("obj.calloc.zeroes") }

    /// obj.calloc.overflow-fails: PyObject_Calloc returns NULL when nelem*elsize overflows size_t (the request
    /// cannot be met).
    func test_obj_calloc_overflow_fails() throws { try conform("obj.calloc.overflow-fails") }

    /// obj.malloc.above-ssize-max-fails: A request above PY_SSIZE_T_MAX cannot be met: PyObject_Malloc,
    /// PyObject_Calloc and PyObject_Realloc return NULL for it.
    func test_obj_malloc_above_ssize_max_fails() throws { try conform("obj.malloc.above-ssize-max-fails") }

    /// obj.realloc.null-is-malloc: PyObject_Realloc(NULL, n) is equivalent to PyObject_Malloc(n): a usable block
    /// of n bytes (zero included) that PyObject_Free releases.
    func test_obj_realloc_null_is_malloc() throws { try conform("obj.realloc.null-is-malloc") }

    /// obj.realloc.zero-resizes: PyObject_Realloc(p, 0) resizes the block without freeing it and returns a
    /// non-NULL pointer.
    func test_obj_realloc_zero_resizes() throws { try conform("obj.realloc.zero-resizes") }

    /// obj.realloc.keeps-contents: PyObject_Realloc keeps the contents unchanged up to the minimum of the old and
    /// new sizes.
    func test_obj_realloc_keeps_contents() throws { try conform("obj.realloc.keeps-contents") }

    /// obj.realloc.failure-keeps-block: When PyObject_Realloc fails it returns NULL and p remains a valid pointer
    /// to the previous memory area: intact and freeable.
    func test_obj_realloc_failure_keeps_block() throws { try conform("obj.realloc.failure-keeps-block") }

    /// obj.realloc.injected-failure-keeps-block: A PyObject_Realloc whose underlying allocator fails returns NULL
    /// and leaves p valid, intact and freeable (the debug hooks included).
    func test_obj_realloc_injected_failure_keeps_block() throws {
        try conform("obj.realloc.injected-failure-keeps-block")
    }

    /// obj.free.null-no-op: PyObject_Free(NULL) performs no operation.
    func test_obj_free_null_no_op() throws { try conform("obj.free.null-no-op") }

    /// obj.blocks.no-overlap: Each PyObject_Malloc/Calloc/Realloc returns its own memory of the size requested:
    /// live blocks never overlap.
    func test_obj_blocks_no_overlap() throws { try conform("obj.blocks.no-overlap") }

    /// obj.threads.gil-holders: PyObject_* may be called from any thread that holds the GIL.
    func test_obj_threads_gil_holders() throws { try conform("obj.threads.gil-holders") }

    /// obj.threads.free-threaded-at-once: on a free-threaded build threads with their own attached thread
    /// states are inside the allocator at once, and each one's blocks are its own.
    func test_obj_threads_free_threaded_at_once() throws { try conform("obj.threads.free-threaded-at-once") }

    /// obj.free.releases: PyObject_Free gives the memory back; allocating and freeing keeps the process bounded.
    func test_obj_free_releases() throws { try conform("obj.free.releases") }
}
