import XCTest

/// Memory Interface: Conformance/11-memory-interface.yaml.
final class MemoryInterfaceTests: XCTestCase {
    /// mem.malloc.zero-size-distinct: PyMem_Malloc(0) returns a non-NULL pointer, distinct from every other live
    /// block, as if PyMem_Malloc(1) had been called.
    func test_mem_malloc_zero_size_distinct() throws { try conform("mem.malloc.zero-size-distinct") }

    /// mem.calloc.zero-size-distinct: PyMem_Calloc with zero elements or elements of zero bytes, in either
    /// argument order, returns a distinct non-NULL pointer, as if PyMem_Calloc(1, 1) had [...]
    func test_mem_calloc_zero_size_distinct() throws { try conform("mem.calloc.zero-size-distinct") }

    /// mem.calloc.zeroes: PyMem_Calloc initialises the memory to zeros.
    func test_mem_calloc_zeroes() throws { try conform("mem.calloc.zeroes") }

    /// mem.calloc.overflow-fails: PyMem_Calloc returns NULL when nelem*elsize overflows size_t (the request cannot
    /// be met).
    func test_mem_calloc_overflow_fails() throws { try conform("mem.calloc.overflow-fails") }

    /// mem.malloc.above-ssize-max-fails: A request above PY_SSIZE_T_MAX cannot be met: PyMem_Malloc, PyMem_Calloc
    /// and PyMem_Realloc return NULL for it.
    func test_mem_malloc_above_ssize_max_fails() throws { try conform("mem.malloc.above-ssize-max-fails") }

    /// mem.realloc.null-is-malloc: PyMem_Realloc(NULL, n) is equivalent to PyMem_Malloc(n): a usable block of n
    /// bytes (zero included) that PyMem_Free releases.
    func test_mem_realloc_null_is_malloc() throws { try conform("mem.realloc.null-is-malloc") }

    /// mem.realloc.zero-resizes: PyMem_Realloc(p, 0) resizes the block without freeing it and returns a non-NULL
    /// pointer.
    func test_mem_realloc_zero_resizes() throws { try conform("mem.realloc.zero-resizes") }

    /// mem.realloc.keeps-contents: PyMem_Realloc keeps the contents unchanged up to the minimum of the old and new
    /// sizes.
    func test_mem_realloc_keeps_contents() throws { try conform("mem.realloc.keeps-contents") }

    /// mem.realloc.failure-keeps-block: When PyMem_Realloc fails it returns NULL and p remains a valid pointer to
    /// the previous memory area: intact and freeable.
    func test_mem_realloc_failure_keeps_block() throws { try conform("mem.realloc.failure-keeps-block") }

    /// mem.realloc.injected-failure-keeps-block: A PyMem_Realloc whose underlying allocator fails returns NULL and
    /// leaves p valid, intact and freeable (the debug hooks included).
    func test_mem_realloc_injected_failure_keeps_block() throws {
        try conform("mem.realloc.injected-failure-keeps-block")
    }

    /// mem.free.null-no-op: PyMem_Free(NULL) performs no operation.
    func test_mem_free_null_no_op() throws { try conform("mem.free.null-no-op") }

    /// mem.blocks.no-overlap: Each PyMem_Malloc/Calloc/Realloc returns its own memory of the size requested: live
    /// blocks never overlap.
    func test_mem_blocks_no_overlap() throws { try conform("mem.blocks.no-overlap") }

    /// mem.threads.gil-holders: PyMem_* may be called from any thread that holds the GIL.
    func test_mem_threads_gil_holders() throws { try conform("mem.threads.gil-holders") }

    /// mem.macros.new-resize-del: PyMem_New(TYPE, n) allocates n*sizeof(TYPE) bytes like PyMem_Malloc;
    /// PyMem_Resize(p, TYPE, n) resizes like PyMem_Realloc and always reassigns p (NULL on [...]
    func test_mem_macros_new_resize_del() throws { try conform("mem.macros.new-resize-del") }

    /// mem.macros.upper-case-family: The PyMem_MALLOC family is served by the MEM domain.
    func test_mem_macros_upper_case_family() throws { try conform("mem.macros.upper-case-family") }

    /// mem.threads.free-threaded-at-once: on a free-threaded build threads with their own attached thread
    /// states are inside the allocator at once, and each one's blocks are its own.
    func test_mem_threads_free_threaded_at_once() throws { try conform("mem.threads.free-threaded-at-once") }

    /// mem.free.releases: PyMem_Free gives the memory back; allocating and freeing keeps the process bounded.
    func test_mem_free_releases() throws { try conform("mem.free.releases") }
}
