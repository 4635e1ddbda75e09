import CPythonABI
import Foundation
import Isolation
import Vocabulary

/// Which allocators pymemcheck itself installed, so that the debug hooks can be found below them.
/// Keyed by the ctx pointer each of our hooks carries; the value is the allocator it wraps.
public enum OwnHooks {
    /// An allocator struct is plain data (function and ctx pointers): safe to share.
    private struct Layer: @unchecked Sendable { var below: PMCMemAllocatorEx }

    private static let layers = Locked<[UInt: Layer]>([:])

    public static func register(ctx: UnsafeMutableRawPointer, wrapping previous: PMCMemAllocatorEx) {
        layers.withLock { $0[UInt(bitPattern: ctx)] = Layer(below: previous) }
    }

    public static func unregister(ctx: UnsafeMutableRawPointer) {
        _ = layers.withLock { $0.removeValue(forKey: UInt(bitPattern: ctx)) }
    }

    /// Whether `ctx` is the ctx of one of our hooks.
    public static func isOwn(_ ctx: UnsafeMutableRawPointer) -> Bool {
        layers.withLock { $0[UInt(bitPattern: ctx)] != nil }
    }

    /// The allocator below one of ours, or nil when `allocator` is not ours.
    static func wrapped(by allocator: PMCMemAllocatorEx) -> PMCMemAllocatorEx? {
        guard let ctx = allocator.ctx else { return nil }
        return layers.withLock { $0[UInt(bitPattern: ctx)]?.below }
    }
}

extension PythonLibrary {
    /// Whether `allocator` is CPython's debug hook for `domain`. The hooks' ctx points to a
    /// debug_alloc_api_t whose first byte is the API id ('r', 'm', 'o'); the plain allocators
    /// have a NULL ctx. Both facts hold from 3.6 to 3.13. The id byte alone could be matched by
    /// chance by another allocator's ctx (one of ours, a plugin's), so the hook's code must also
    /// lie in libpython itself.
    public static func isDebugHook(_ allocator: PMCMemAllocatorEx, for domain: AllocatorDomain) -> Bool {
        guard let ctx = allocator.ctx, OwnHooks.wrapped(by: allocator) == nil,
            ctx.load(as: UInt8.self) == UInt8(ascii: domain.apiID.unicodeScalars.first!)
        else { return false }
        return isInLibpython(unsafeBitCast(allocator.malloc, to: UnsafeRawPointer?.self))
    }

    /// Whether code at `address` belongs to a libpython shared library.
    public static func isInLibpython(_ address: UnsafeRawPointer?) -> Bool {
        guard let path = pmc_image_path(address) else { return false }
        return TargetDiscovery.isLibpythonName((String(cString: path) as NSString).lastPathComponent)
    }

    /// The allocator the debug hook of `domain` calls (inside the hook's debug_alloc_api_t, just
    /// after the API id word), or nil when the hook is not on top. Writing it slips an allocator
    /// under the hooks.
    /// Our own hooks on top are looked through (a negative control plants one there).
    public func slotUnderDebugHook(_ domain: AllocatorDomain) -> UnsafeMutablePointer<PMCMemAllocatorEx>? {
        var top = allocator(domain)
        while let below = OwnHooks.wrapped(by: top) { top = below }
        return Self.slotInside(debugHook: top, for: domain)
    }

    /// The allocator slot inside the debug hook `allocator` (its debug_alloc_api_t: the API id,
    /// padded to a pointer, then a PyMemAllocatorEx; the same from 3.6 to 3.13), or nil when
    /// `allocator` is not the hook of `domain`.
    public static func slotInside(debugHook allocator: PMCMemAllocatorEx, for domain: AllocatorDomain)
        -> UnsafeMutablePointer<PMCMemAllocatorEx>?
    {
        guard isDebugHook(allocator, for: domain), let api = allocator.ctx else { return nil }
        return (api + MemoryLayout<UnsafeRawPointer>.alignment).assumingMemoryBound(to: PMCMemAllocatorEx.self)
    }

    /// Whether the debug hooks are installed for `domain`, directly or below our own hooks.
    public func debugHooksInstalled(_ domain: AllocatorDomain) -> Bool {
        var current = allocator(domain)
        while let below = OwnHooks.wrapped(by: current) { current = below }
        return Self.isDebugHook(current, for: domain)
    }

    /// Whether one of our hooks sits on top of the debug hooks of some domain: calling
    /// PyMem_SetupDebugHooks() then would wrap our hook, which calls the hooks again, forever.
    var debugHooksUnderOwnHook: Bool {
        AllocatorDomain.allCases.contains { domain in
            let top = allocator(domain)
            return OwnHooks.wrapped(by: top) != nil && debugHooksInstalled(domain)
        }
    }

    /// PyMem_SetupDebugHooks(), refused where CPython would crash: after initialisation (blocks
    /// made before the hooks are later checked by them: "bad ID" or SIGSEGV), and while the
    /// hooks are already installed below a hook of ours (infinite recursion).
    public func installDebugHooks() throws {
        if isInitialized() != 0 {
            throw PyMemCheckError.runtime(
                "PyMem_SetupDebugHooks() after Py_InitializeEx would "
                    + "check blocks allocated before the hooks (bad ID or SIGSEGV); install them "
                    + "before initialisation")
        }
        if debugHooksUnderOwnHook {
            throw PyMemCheckError.runtime(
                "the debug hooks are already installed below a "
                    + "pymemcheck hook; PyMem_SetupDebugHooks() would recurse forever")
        }
        setupDebugHooks()
    }
}
