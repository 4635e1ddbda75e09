import XCTest

/// The mimalloc allocator: Conformance/60-mimalloc.yaml.
final class MimallocTests: XCTestCase {
    /// mimalloc.pythonmalloc-mimalloc: From 3.13, PYTHONMALLOC=mimalloc uses mimalloc for MEM and OBJ where the
    /// platform supports it, without debug hooks.
    func test_mimalloc_pythonmalloc_mimalloc() throws { try conform("mimalloc.pythonmalloc-mimalloc") }

    /// mimalloc.pythonmalloc-mimalloc-debug: From 3.13, PYTHONMALLOC=mimalloc_debug puts the debug hooks on top of
    /// mimalloc.
    func test_mimalloc_pythonmalloc_mimalloc_debug() throws { try conform("mimalloc.pythonmalloc-mimalloc-debug") }

    /// mimalloc.absent-before-3.13: mimalloc is new in 3.13: before it, PYTHONMALLOC=mimalloc is not a known
    /// allocator name and Python refuses to start with it.
    func test_mimalloc_absent_before_3_13() throws { try conform("mimalloc.absent-before-3.13") }
}
