import XCTest

/// Default Memory Allocators: Conformance/20-default-memory-allocators.yaml.
final class DefaultMemoryAllocatorsTests: XCTestCase {
    /// default.release-build: A release build starts with the "pymalloc" configuration: RAW uses malloc, MEM and
    /// OBJ use pymalloc, no debug hooks.
    func test_default_release_build() throws { try conform("default.release-build") }

    /// default.debug-build: A debug build starts with the "pymalloc_debug" configuration: malloc for RAW and
    /// pymalloc for MEM and OBJ, each with the debug hooks.
    func test_default_debug_build() throws { try conform("default.debug-build") }

    /// default.raw-is-malloc: The RAW domain always uses the C library's malloc (never pymalloc arenas), whatever
    /// the configuration.
    func test_default_raw_is_malloc() throws { try conform("default.raw-is-malloc") }

    /// pythonmalloc.malloc: PYTHONMALLOC=malloc uses the C library's malloc for all three domains, without debug
    /// hooks.
    func test_pythonmalloc_malloc() throws { try conform("pythonmalloc.malloc") }

    /// pythonmalloc.pymalloc: PYTHONMALLOC=pymalloc uses malloc for RAW and pymalloc for MEM and OBJ, without
    /// debug hooks (on a debug build too).
    func test_pythonmalloc_pymalloc() throws { try conform("pythonmalloc.pymalloc") }

    /// pythonmalloc.debug: PYTHONMALLOC=debug installs the debug hooks on top of the default allocators, in
    /// release builds too (since 3.6).
    func test_pythonmalloc_debug() throws { try conform("pythonmalloc.debug") }

    /// pythonmalloc.malloc_debug: PYTHONMALLOC=malloc_debug uses malloc for every domain with the debug hooks on
    /// top.
    func test_pythonmalloc_malloc_debug() throws { try conform("pythonmalloc.malloc_debug") }

    /// pythonmalloc.pymalloc_debug: PYTHONMALLOC=pymalloc_debug uses pymalloc for MEM and OBJ, malloc for RAW,
    /// each with the debug hooks.
    func test_pythonmalloc_pymalloc_debug() throws { try conform("pythonmalloc.pymalloc_debug") }

    /// pythonmalloc.free-threaded-names: PYTHONMALLOC names a free-threaded build lacks stop its start-up with
    /// "PYTHONMALLOC: unknown allocator".
    func test_pythonmalloc_free_threaded_names() throws { try conform("pythonmalloc.free-threaded-names") }

    /// preconfig.free-threaded-allocators: the families a free-threaded build refuses by name are refused through
    /// PyPreConfig.allocator too.
    func test_preconfig_free_threaded_allocators() throws { try conform("preconfig.free-threaded-allocators") }
}
