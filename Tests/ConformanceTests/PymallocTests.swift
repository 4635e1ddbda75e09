import XCTest

/// The pymalloc allocator: Conformance/50-pymalloc.yaml.
final class PymallocTests: XCTestCase {
    /// pymalloc.threshold-512: pymalloc serves requests of up to 512 bytes itself and passes larger ones to
    /// PyMem_RawMalloc and PyMem_RawRealloc.
    func test_pymalloc_threshold_512() throws { try conform("pymalloc.threshold-512") }

    /// pymalloc.arena-size.256kib: pymalloc arenas are 256 KiB (the documents of 3.9 and before).
    func test_pymalloc_arena_size_256kib() throws { try conform("pymalloc.arena-size.256kib") }

    /// pymalloc.arena-size.1mib: pymalloc arenas are 1 MiB on 64-bit platforms (from 3.10).
    func test_pymalloc_arena_size_1mib() throws { try conform("pymalloc.arena-size.1mib") }

    /// pymalloc.disabled-by-pythonmalloc-malloc: PYTHONMALLOC=malloc (and malloc_debug) disables pymalloc at run
    /// time: no arena is ever taken.
    func test_pymalloc_disabled_by_pythonmalloc_malloc() throws {
        try conform("pymalloc.disabled-by-pythonmalloc-malloc")
    }

    /// pymalloc.arena-allocator.get-set: PyObject_GetArenaAllocator/SetArenaAllocator get and set the arena
    /// allocator pymalloc uses: alloc(ctx, size) takes arenas and free(ctx, ptr, size) gives [...]
    func test_pymalloc_arena_allocator_get_set() throws { try conform("pymalloc.arena-allocator.get-set") }

    /// pymalloc.mallocstats: PYTHONMALLOCSTATS prints pymalloc statistics (on creation of an arena and at
    /// shutdown).
    func test_pymalloc_mallocstats() throws { try conform("pymalloc.mallocstats") }

    /// pymalloc.arenas.anonymous-mappings: Arenas are anonymous mappings of their own.
    func test_pymalloc_arenas_anonymous_mappings() throws { try conform("pymalloc.arenas.anonymous-mappings") }
}
