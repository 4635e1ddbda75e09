import XCTest

/// Debug hooks on the Python memory allocators: detection: Conformance/41-debug-hooks-detection.yaml.
final class DebugHooksDetectionTests: XCTestCase {
    /// debug.detect.cross-domain-free: Freeing a block with another domain's free function is detected: the
    /// program aborts with 'bad ID: Allocated using API x, verified using API y' and the [...]
    func test_debug_detect_cross_domain_free() throws { try conform("debug.detect.cross-domain-free") }

    /// debug.detect.cross-domain-realloc: Resizing a block with another domain's realloc function is detected the
    /// same way.
    func test_debug_detect_cross_domain_realloc() throws { try conform("debug.detect.cross-domain-realloc") }

    /// debug.detect.overflow: A write after the end of a block (buffer overflow) into any of the S trailing
    /// forbidden bytes is detected by free: the report names 'bad trailing pad [...]
    func test_debug_detect_overflow() throws { try conform("debug.detect.overflow") }

    /// debug.detect.underflow: A write before the start of a block (buffer underflow) into any of the S-1 leading
    /// forbidden bytes is detected by free: 'bad leading pad byte' with the [...]
    func test_debug_detect_underflow() throws { try conform("debug.detect.underflow") }

    /// debug.detect.overflow-on-realloc: A realloc-like function checks the forbidden bytes first: an overflow is
    /// reported by realloc.
    func test_debug_detect_overflow_on_realloc() throws { try conform("debug.detect.overflow-on-realloc") }

    /// debug.detect.api-id-overwrite: Overwriting the API identifier byte p[-S] is detected as a bad ID naming the
    /// byte found.
    func test_debug_detect_api_id_overwrite() throws { try conform("debug.detect.api-id-overwrite") }

    /// debug.detect.mem-without-gil: Calling a PYMEM_DOMAIN_MEM function without holding the GIL is detected
    /// (since 3.6): 'Python memory allocator called without holding the GIL'.
    func test_debug_detect_mem_without_gil() throws { try conform("debug.detect.mem-without-gil") }

    /// debug.detect.obj-without-gil: Calling a PYMEM_DOMAIN_OBJ function without holding the GIL is detected
    /// (since 3.6).
    func test_debug_detect_obj_without_gil() throws { try conform("debug.detect.obj-without-gil") }

    /// debug.detect.mem-every-function-without-gil: PyMem_Calloc, PyMem_Realloc and PyMem_Free without the GIL
    /// are detected as PyMem_Malloc is, each reported by its own debug function (since 3.6).
    func test_debug_detect_mem_every_function_without_gil() throws {
        try conform("debug.detect.mem-every-function-without-gil")
    }

    /// debug.detect.obj-every-function-without-gil: PyObject_Calloc, PyObject_Realloc and PyObject_Free without
    /// the GIL are detected as PyObject_Malloc is (since 3.6).
    func test_debug_detect_obj_every_function_without_gil() throws {
        try conform("debug.detect.obj-every-function-without-gil")
    }

    /// debug.detect.without-gil-after-subinterpreter: PyMem_Malloc without the GIL is detected after a
    /// subinterpreter was made and ended as before it (a recorded deviation on every version here).
    func test_debug_detect_without_gil_after_subinterpreter() throws {
        try conform("debug.detect.without-gil-after-subinterpreter")
    }

    /// debug.report.tracemalloc-traceback: On error the report shows the traceback where the block was allocated
    /// when tracemalloc traces it (since 3.6).
    func test_debug_report_tracemalloc_traceback() throws { try conform("debug.report.tracemalloc-traceback") }

    /// debug.detect.double-free: A second free of a block is detected.
    func test_debug_detect_double_free() throws { try conform("debug.detect.double-free") }

    /// debug.detect.underflow-on-realloc: An underflow is detected by realloc.
    func test_debug_detect_underflow_on_realloc() throws { try conform("debug.detect.underflow-on-realloc") }

    /// debug.report.no-traceback-untraced: No traceback when tracemalloc is off or the block was not traced.
    func test_debug_report_no_traceback_untraced() throws { try conform("debug.report.no-traceback-untraced") }
}
