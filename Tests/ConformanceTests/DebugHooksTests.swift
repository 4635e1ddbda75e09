import XCTest

/// Debug hooks on the Python memory allocators: Conformance/40-debug-hooks.yaml.
final class DebugHooksTests: XCTestCase {
    /// debug.hooks-installed: In every debug configuration (debug build, PYTHONMALLOC=*debug,
    /// PyMem_SetupDebugHooks) each domain's allocator is the debug hook.
    func test_debug_hooks_installed() throws { try conform("debug.hooks-installed") }

    /// debug.cleanbyte.malloc: Newly allocated memory is filled with PYMEM_CLEANBYTE.
    func test_debug_cleanbyte_malloc() throws { try conform("debug.cleanbyte.malloc") }

    /// debug.cleanbyte.realloc-grow: When a realloc-like function grows a block, the new excess bytes are filled
    /// with PYMEM_CLEANBYTE and the old bytes kept.
    func test_debug_cleanbyte_realloc_grow() throws { try conform("debug.cleanbyte.realloc-grow") }

    /// debug.deadbyte.free: A free-like function overwrites the block with PYMEM_DEADBYTE before releasing it.
    func test_debug_deadbyte_free() throws { try conform("debug.deadbyte.free") }

    /// debug.deadbyte.realloc-shrink: When a realloc-like function shrinks a block, the excess old bytes are
    /// filled with PYMEM_DEADBYTE.
    func test_debug_deadbyte_realloc_shrink() throws { try conform("debug.deadbyte.realloc-shrink") }

    /// debug.layout.header: p[-2S:-S] holds the number of bytes asked for as a big-endian size_t, p[-S] the API id
    /// ('r', 'm', 'o' for RAW, MEM, OBJ), p[-S+1:0] and p[N:N+S] copies of [...]
    func test_debug_layout_header() throws { try conform("debug.layout.header") }

    /// debug.layout.realloc-calloc: Blocks made by calloc and resized by realloc carry the same layout, with the
    /// new size in the header.
    func test_debug_layout_realloc_calloc() throws { try conform("debug.layout.realloc-calloc") }

    /// debug.layout.no-serial-number: Without PYMEM_DEBUG_SERIALNO (the default) p[N+S:N+2S] is not used: each
    /// block costs 3*S extra bytes below the hooks.
    func test_debug_layout_no_serial_number() throws { try conform("debug.layout.no-serial-number") }

    /// debug.layout.serial-number: Before 3.8 every block carries a serial number at p[N+S:N+2S] (4*S extra
    /// bytes), which the report prints as 'The block was made by call #N'.
    func test_debug_layout_serial_number() throws { try conform("debug.layout.serial-number") }

    /// debug.bytes.cb-db-fb: Before 3.8 the debug hooks' bytes are CLEANBYTE 0xCB, DEADBYTE 0xDB and FORBIDDENBYTE
    /// 0xFB.
    func test_debug_bytes_cb_db_fb() throws { try conform("debug.bytes.cb-db-fb") }

    /// debug.bytes.cd-dd-fd: From 3.8 the debug hooks' bytes are CLEANBYTE 0xCD, DEADBYTE 0xDD and FORBIDDENBYTE
    /// 0xFD.
    func test_debug_bytes_cd_dd_fd() throws { try conform("debug.bytes.cd-dd-fd") }

    /// debug.layout.serial-number-increments: The serial number grows by one per call, big-endian (3.6, 3.7).
    func test_debug_layout_serial_number_increments() throws { try conform("debug.layout.serial-number-increments") }
}
