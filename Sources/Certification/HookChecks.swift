import AllocatorLayers
import CPythonABI
import Executor
import Foundation
import FuzzHarness
import Isolation
import OpLanguage
import PyRuntime

/// The plugin's own functions, called directly: the debug hooks on top normalise zero-size
/// and NULL requests before a plugin sees them, so the API alone never asks it those. Every
/// documented edge is asked from the main thread, from a new thread that has not called the
/// plugin yet, and (where the domain must be thread-safe) from several threads at once; then
/// calloc pairs whose product overflows, and a long mixed workload, so that a defect that
/// shows only after warm-up shows.
enum HookChecks {
    static let threads = 4

    static func run(_ plugin: AllocatorPlugin, runtime: PythonRuntime) -> [String] {
        var problems: [String] = []
        for (domain, installed) in plugin.installed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let hook = PluginFunctions(installed)
            problems += check(domain, hook).map { "\(domain.name) hook, main thread: \($0)" }
            problems += fromNewThreads(1, domain, hook, runtime).map { "\(domain.name) hook, a new thread: \($0)" }
            // RAW is called without the GIL; from 3.12 every domain must be thread-safe.
            if domain == .raw || runtime.version >= PythonVersion(3, 12) {
                problems += fromNewThreads(threads, domain, hook, runtime).map {
                    "\(domain.name) hook, \(threads) threads at once: \($0)"
                }
            }
            problems += (hugeCalloc(hook) + overflowingCalloc(hook)).map { "\(domain.name) hook: \($0)" }
            // Only on a plugin the edges did not already refuse: the workload runs unguarded,
            // and a defect found above could corrupt the heap there and crash away its finding.
            if problems.isEmpty {
                problems += Workload.unguarded(installed).map { "\(domain.name) hook, mixed workload: \($0)" }
            }
        }
        return problems
    }

    /// The edges asked from `count` new threads at once, each one's first problem. RAW is
    /// called as CPython calls it, without a thread state; MEM and OBJ from a thread that took
    /// the GIL (PyGILState_Ensure), as CPython calls them: their allocator below (pymalloc)
    /// needs the thread state.
    static func fromNewThreads(_ count: Int, _ domain: Domain, _ hook: PluginFunctions, _ runtime: PythonRuntime)
        -> [String]
    {
        let library = runtime.library
        return runtime.withoutGIL {
            ThreadChecks.concurrently(count) { _ in
                guard domain != .raw else { return check(domain, hook).first }
                let state = library.gilStateEnsure()
                defer { library.gilStateRelease(state) }
                return check(domain, hook).first
            }
        }.compactMap { $0 }
    }

    /// calloc pairs whose product overflows 64 bits: NULL, never a block of the wrapped size.
    static func overflowingCalloc(_ hook: PluginFunctions) -> [String] {
        let half = Int(bitPattern: UInt.max / 2 + 1)
        return [(1 << 32, 1 << 32), (half, 2), (2, half), (Int(bitPattern: UInt.max), 3)].compactMap { count, size in
            guard let block = hook.calloc(count, size) else { return nil }
            hook.free(block)
            return "must-fail: calloc(\(UInt(bitPattern: count)), \(UInt(bitPattern: size))) "
                + "overflows size_t but returned a block"
        }
    }

    /// The edges, on whatever thread calls it.
    static func check(_ domain: Domain, _ hook: PluginFunctions) -> [String] {
        var problems: [String] = []
        let a = hook.malloc(0)
        let b = hook.malloc(0)
        if a == nil || b == nil {
            problems.append("non-null: malloc(0) returned NULL")
        } else if a == b {
            problems.append("distinct: malloc(0) returned the same pointer twice")
        }
        for (count, size) in [(0, 8), (8, 0), (0, 0)] {
            let block = hook.calloc(count, size)
            if block == nil { problems.append("non-null: calloc(\(count), \(size)) returned NULL") }
            hook.free(block)
        }
        hook.free(a)
        hook.free(b)
        hook.free(nil) // must do nothing (a crash here is the verdict)
        if let block = hook.realloc(nil, 40) {
            block.initializeMemory(as: UInt8.self, repeating: 0x5C, count: 40)
            if let zero = hook.realloc(block, 0) {
                hook.free(zero)
            } else {
                problems.append("non-null: realloc(p, 0) returned NULL")
            } // p may be gone: not freed again
        } else {
            problems.append("non-null: realloc(NULL, 40) returned NULL")
        }
        problems += spans(hook)
        problems += contents(hook)
        problems += zeroes(hook)
        problems += failedRealloc(hook)
        return problems
    }

    /// calloc(65536, 65537) is a legal request of just over 4 GiB: NULL, or a block that spans
    /// it all (a size computed in 32 bits would give 64 KiB). Asked with 1 GiB of address space
    /// to spare, so it fails rather than being zeroed page by page, and the 64 KiB a wrapped
    /// size gives still succeeds and is caught.
    static func hugeCalloc(_ hook: PluginFunctions) -> [String] {
        let (count, size) = (65_536, 65_537)
        guard let block = Memory.withAddressSpace(headroom: 1 << 30, { hook.calloc(count, size) }) else { return [] }
        defer { hook.free(block) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let last = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: block + (count * size - 1)) & ~UInt(page - 1))!
        return msync(last, page, MS_ASYNC) == 0
            ? []
            : [
                "block-size: calloc(\(count), \(size)) "
                    + "returned a block that does not span \(count * size) bytes (nelem*elsize wrapped?)"
            ]
    }

    /// Every block spans the bytes asked for: the last one can be read. Sizes one above a
    /// multiple of 16 put a short block's end right at the guard page of the layer below.
    static func spans(_ hook: PluginFunctions) -> [String] {
        for size in [17, 33, 65, 4097, 65_537] {
            guard let block = hook.malloc(size) else { return ["non-null: malloc(\(size)) returned NULL"] }
            defer { hook.free(block) }
            if !Memory.isReadable(block + (size - 1), count: 1) {
                return ["block-size: malloc(\(size)) returned a block whose byte \(size - 1) cannot be read"]
            }
        }
        return []
    }

    /// RAW before CPython starts (the plugin installed, nothing else running): for a plugin that
    /// CPython cannot start with, its own functions still get their verdict.
    static func beforeStartUp(_ plugin: AllocatorPlugin) -> [String] {
        guard let installed = plugin.installed[.raw] else { return [] }
        installed.guardBlocks()
        let hook = PluginFunctions(installed)
        var problems = check(.raw, hook).map { "raw hook, main thread: \($0)" }
        problems += ThreadChecks.concurrently(threads) { _ in check(.raw, hook).first }.compactMap { $0 }
            .map { "raw hook, \(threads) threads at once: \($0)" }
        problems += (hugeCalloc(hook) + overflowingCalloc(hook)).map { "raw hook: \($0)" }
        if problems.isEmpty { problems += Workload.unguarded(installed).map { "raw hook, mixed workload: \($0)" } }
        return problems
    }

    /// realloc keeps min(old, new) bytes, growing and shrinking, small and large.
    static func contents(_ hook: PluginFunctions) -> [String] {
        var problems: [String] = []
        for (old, new) in [(16, 600), (600, 24), (100, 70_000), (70_000, 300)] {
            guard let block = hook.malloc(old) else { return ["non-null: malloc(\(old)) returned NULL"] }
            for index in 0..<old {
                block.storeBytes(of: UInt8(truncatingIfNeeded: index &* 7 &+ 1), toByteOffset: index, as: UInt8.self)
            }
            guard let resized = hook.realloc(block, new) else {
                hook.free(block)
                return ["non-null: realloc \(old) → \(new) returned NULL"]
            }
            if let index = (0..<min(old, new)).first(where: {
                resized.load(fromByteOffset: $0, as: UInt8.self) != UInt8(truncatingIfNeeded: $0 &* 7 &+ 1)
            }) {
                problems.append("contents-kept: realloc \(old) → \(new) changed byte \(index)")
            }
            hook.free(resized)
        }
        return problems
    }

    /// calloc zeroes, also memory that was just dirtied and freed.
    static func zeroes(_ hook: PluginFunctions) -> [String] {
        for size in [24, 512, 5000, 100_000] {
            if let dirty = hook.malloc(size) {
                dirty.initializeMemory(as: UInt8.self, repeating: 0xEE, count: size)
                hook.free(dirty)
            }
            guard let block = hook.calloc(1, size) else {
                return ["non-null: calloc(1, \(size)) returned NULL"]
            }
            defer { hook.free(block) }
            if let index = Bytes.firstNot(0, in: block, 0..<size) {
                return ["calloc-zeroed: calloc(1, \(size)) byte \(index) is not zero"]
            }
        }
        return []
    }

    /// A realloc that cannot be met returns NULL and leaves the block as it was.
    static func failedRealloc(_ hook: PluginFunctions) -> [String] {
        guard let block = hook.malloc(64) else { return ["non-null: malloc(64) returned NULL"] }
        block.initializeMemory(as: UInt8.self, repeating: 0x3A, count: 64)
        if let moved = hook.realloc(block, Int.max) {
            hook.free(moved)
            return ["must-fail: realloc(p, PY_SSIZE_T_MAX) succeeded: impossible request met?"]
        }
        defer { hook.free(block) }
        return (0..<64).allSatisfy { block.load(fromByteOffset: $0, as: UInt8.self) == 0x3A }
            ? [] : ["failure-keeps-block: a failed realloc changed the old block"]
    }
}

/// Failures injected in the allocator under the plugin (its `previous`): a plugin that calls
/// it must pass the failure on (or satisfy the request some other valid way) and keep the old
/// block intact. A plugin that frees or touches a block it should keep crashes on the guard
/// layer's protected pages, which is the verdict.
enum InjectedFailureChecks {
    static func run(_ plugin: AllocatorPlugin) -> (problems: [String], reached: Bool) {
        var problems: [String] = []
        var reached = false
        for (domain, installed) in plugin.installed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let hook = PluginFunctions(installed)
            installed.arm(.malloc)
            let fresh = hook.malloc(100)
            reached = reached || installed.injected
            if let fresh {
                fresh.initializeMemory(as: UInt8.self, repeating: 1, count: 100)
                hook.free(fresh)
            }
            installed.arm(nil)
            guard let block = hook.malloc(100) else {
                problems.append("\(domain.name): non-null: malloc(100) returned NULL")
                continue
            }
            block.initializeMemory(as: UInt8.self, repeating: 0x42, count: 100)
            installed.arm(.realloc)
            let resized = hook.realloc(block, 5000)
            let injected = installed.injected
            installed.arm(nil)
            reached = reached || injected
            let kept = resized ?? block
            if !(0..<100).allSatisfy({ kept.load(fromByteOffset: $0, as: UInt8.self) == 0x42 }) {
                // Said as it happened: a plugin that never called the realloc below met no failure.
                let what =
                    injected
                    ? "after a realloc(p, 5000) whose allocator below failed, the block's contents changed"
                    : "realloc(p, 5000) (no failure reached the allocator below: the plugin did not call its "
                        + "realloc) returned a block whose first 100 bytes are not the old block's"
                problems.append("\(domain.name): \(injected ? "failure-keeps-block" : "contents-kept"): \(what)")
            }
            hook.free(kept)
        }
        return (problems, reached)
    }
}
