import XCTest

/// Raw Memory Interface: Conformance/10-raw-memory-interface.yaml.
final class RawMemoryInterfaceTests: XCTestCase {
    /// raw.malloc.zero-size-distinct: PyMem_RawMalloc(0) returns a non-NULL pointer, distinct from every other
    /// live block, as if PyMem_RawMalloc(1) had been called.
    func test_raw_malloc_zero_size_distinct() throws { try conform("raw.malloc.zero-size-distinct") }

    /// raw.calloc.zero-size-distinct: PyMem_RawCalloc with zero elements or elements of zero bytes, in either
    /// argument order, returns a distinct non-NULL pointer, as if PyMem_RawCalloc(1, 1) [...]
    func test_raw_calloc_zero_size_distinct() throws { try conform("raw.calloc.zero-size-distinct") }

    /// raw.calloc.zeroes: PyMem_RawCalloc initialises the memory to zeros.
    func test_raw_calloc_zeroes() throws { try conform("raw.calloc.zeroes") }

    /// raw.calloc.overflow-fails: PyMem_RawCalloc returns NULL when nelem*elsize overflows size_t (the request
    /// cannot be met).
    func test_raw_calloc_overflow_fails() throws { try conform("raw.calloc.overflow-fails") }

    /// raw.malloc.above-ssize-max-fails: A request above PY_SSIZE_T_MAX cannot be met: PyMem_RawMalloc,
    /// PyMem_RawCalloc and PyMem_RawRealloc return NULL for it.
    func test_raw_malloc_above_ssize_max_fails() throws { try conform("raw.malloc.above-ssize-max-fails") }

    /// raw.realloc.null-is-malloc: PyMem_RawRealloc(NULL, n) is equivalent to PyMem_RawMalloc(n): a usable block
    /// of n bytes (zero included) that PyMem_RawFree releases.
    func test_raw_realloc_null_is_malloc() throws { try conform("raw.realloc.null-is-malloc") }

    /// raw.realloc.zero-resizes: PyMem_RawRealloc(p, 0) resizes the block without freeing it and returns a
    /// non-NULL pointer.
    func test_raw_realloc_zero_resizes() throws { try conform("raw.realloc.zero-resizes") }

    /// raw.realloc.keeps-contents: PyMem_RawRealloc keeps the contents unchanged up to the minimum of the old and
    /// new sizes.
    func test_raw_realloc_keeps_contents() throws { try conform("raw.realloc.keeps-contents") }

    /// raw.realloc.failure-keeps-block: When PyMem_RawRealloc fails it returns NULL and p remains a valid pointer
    /// to the previous memory area: intact and freeable.
    func test_raw_realloc_failure_keeps_block() throws { try conform("raw.realloc.failure-keeps-block") }

    /// raw.realloc.injected-failure-keeps-block: A PyMem_RawRealloc whose underlying allocator fails returns NULL
    /// and leaves p valid, intact and freeable (the debug hooks included).
    func test_raw_realloc_injected_failure_keeps_block() throws {
        try conform("raw.realloc.injected-failure-keeps-block")
    }

    /// raw.free.null-no-op: PyMem_RawFree(NULL) performs no operation.
    func test_raw_free_null_no_op() throws { try conform("raw.free.null-no-op") }

    /// raw.blocks.no-overlap: Each PyMem_RawMalloc/Calloc/Realloc returns its own memory of the size requested:
    /// live blocks never overlap.
    func test_raw_blocks_no_overlap() throws { try conform("raw.blocks.no-overlap") }

    /// raw.threads.without-gil: The RAW functions are thread-safe and need no GIL: several threads may call them
    /// at once without holding it.
    func test_raw_threads_without_gil() throws { try conform("raw.threads.without-gil") }

    /// raw.threads.while-runtime-works: RAW from threads without the GIL never waits for it, while the thread
    /// holding it imports, collects garbage, makes interpreters, starts and stops tracemalloc.
    func test_raw_threads_while_runtime_works() throws { try conform("raw.threads.while-runtime-works") }

    /// raw.threads.while-tracemalloc-traces: RAW needs no GIL while tracemalloc traces (a recorded deviation:
    /// tracemalloc's RAW hooks take it).
    func test_raw_threads_while_tracemalloc_traces() throws { try conform("raw.threads.while-tracemalloc-traces") }

    /// raw.free.releases: PyMem_RawFree gives the memory back; allocating and freeing keeps the process bounded.
    func test_raw_free_releases() throws { try conform("raw.free.releases") }
}
