import CPythonABI
import Foundation
import PyRuntime

/// A hook that pymemcheck puts into a domain's allocator chain: it records every call (the ctx
/// it was given, the arguments, the result) and forwards to the allocator below, or fails the
/// calls it is told to fail. Installed on top with PyMem_SetAllocator, or slipped under the
/// debug hooks so that what the hooks themselves ask of the allocator can be seen and failed.
public final class AllocatorLayer: @unchecked Sendable {
    public enum Function: String, Sendable { case malloc, calloc, realloc, free }

    public struct Call: Sendable, Equatable {
        public var function: Function
        public var ctx: UInt
        /// malloc size, realloc new size, calloc nelem.
        public var size: Int
        /// calloc elsize.
        public var elementSize: Int
        /// realloc and free: the block passed in.
        public var pointer: UInt
        public var result: UInt
    }

    public let domain: AllocatorDomain
    public let below: PMCMemAllocatorEx
    fileprivate let lock = NSLock()
    private var recorded: [Call] = []
    private var failures: [Function: Int] = [:]
    /// The ctx this layer hands to CPython: an unmanaged reference to itself, kept forever
    /// because CPython may call through a copy of the struct after the layer is taken out.
    public private(set) var ctx: UnsafeMutableRawPointer!
    /// Looks at a block just before it is freed or resized below this layer (pointer, new size).
    public var beforeFree: ((UnsafeMutableRawPointer) -> Void)?
    public var beforeRealloc: ((UnsafeMutableRawPointer, Int) -> Void)?
    /// A defect planted by a negative control: it answers the calls instead of plain forwarding.
    var defect: Defect?
    /// The ctx values the layer was called with, in order (a control may pass another).
    private var received: [UInt] = []

    private init(domain: AllocatorDomain, below: PMCMemAllocatorEx) {
        self.domain = domain
        self.below = below
        ctx = Unmanaged.passRetained(self).toOpaque()
    }

    /// Installs a layer on top of `domain` (PyMem_SetAllocator).
    public static func installOnTop(of domain: AllocatorDomain, in library: PythonLibrary) -> AllocatorLayer {
        let layer = AllocatorLayer(domain: domain, below: library.allocator(domain))
        OwnHooks.register(ctx: layer.ctx, wrapping: layer.below)
        library.install(layer.allocator, for: domain)
        return layer
    }

    /// Installs a layer that replaces the domain's allocator rather than hooking it: when the
    /// debug hooks are on top, the layer calls what they wrap, so that the hooks are no longer
    /// in the chain (the case in which the documents require PyMem_SetupDebugHooks again).
    public static func installReplacing(_ domain: AllocatorDomain, in library: PythonLibrary) -> AllocatorLayer {
        let top = library.allocator(domain)
        var underlying = top
        if PythonLibrary.isDebugHook(top, for: domain), let api = top.ctx {
            underlying = (api + MemoryLayout<UnsafeRawPointer>.alignment).load(as: PMCMemAllocatorEx.self)
        }
        let layer = AllocatorLayer(domain: domain, below: underlying)
        OwnHooks.register(ctx: layer.ctx, wrapping: layer.below)
        library.install(layer.allocator, for: domain)
        return layer
    }

    /// Installs a layer with a planted defect on top of `domain`. `registered`: whether the debug
    /// hooks below it are still found through it (false: it hides them, as a foreign allocator
    /// an embedder installs would).
    static func plant(_ defect: Defect, on domain: AllocatorDomain, in library: PythonLibrary, registered: Bool = true) -> AllocatorLayer {
        let layer = AllocatorLayer(domain: domain, below: library.allocator(domain))
        layer.defect = defect
        if registered { OwnHooks.register(ctx: layer.ctx, wrapping: layer.below) }
        library.install(layer.allocator, for: domain)
        return layer
    }

    /// Takes a top layer out again, restoring the allocator it wrapped.
    public func uninstall(from library: PythonLibrary) {
        library.install(below, for: domain)
        OwnHooks.unregister(ctx: ctx)
    }

    /// The PyMemAllocatorEx that routes into this layer.
    public var allocator: PMCMemAllocatorEx {
        PMCMemAllocatorEx(ctx: ctx, malloc: { ctx, size in
            AllocatorLayer.from(ctx).malloc(size)
        }, calloc: { ctx, nelem, elsize in
            AllocatorLayer.from(ctx).calloc(nelem, elsize)
        }, realloc: { ctx, pointer, size in
            AllocatorLayer.from(ctx).realloc(pointer, size)
        }, free: { ctx, pointer in
            AllocatorLayer.from(ctx).free(pointer)
        })
    }

    /// The layer a ctx names: its own ctx, or an alias a control made (ContextAlias).
    static func from(_ ctx: UnsafeMutableRawPointer?) -> AllocatorLayer {
        let layer = ContextAlias.layer(for: ctx) ?? Unmanaged<AllocatorLayer>.fromOpaque(ctx!).takeUnretainedValue()
        layer.lock.withLock { layer.received.append(UInt(bitPattern: ctx)) }
        return layer
    }

    /// The ctx values this layer was called with since the last reset.
    public var receivedContexts: [UInt] { lock.withLock { received } }

    // MARK: what tests ask of the layer

    /// Starts a fresh record.
    public func reset() { lock.withLock { recorded.removeAll(); received.removeAll() } }

    public var calls: [Call] { lock.withLock { recorded } }

    /// The next `count` calls of `function` return NULL without reaching the allocator below.
    public func fail(_ function: Function, count: Int = 1) { lock.withLock { failures[function] = count } }

    /// Forgets failures that were armed but not used.
    public func disarm() { lock.withLock { failures.removeAll() } }

    // MARK: the hook functions

    private func shouldFail(_ function: Function) -> Bool {
        lock.withLock {
            guard let left = failures[function], left > 0 else { return false }
            failures[function] = left - 1
            return true
        }
    }

    private func record(_ call: Call) { lock.withLock { recorded.append(call) } }

    private var ctxBits: UInt { UInt(bitPattern: ctx) }

    private func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        if let defect { return defect.malloc(size, below) }
        let result = shouldFail(.malloc) ? nil : below.malloc(below.ctx, size)
        record(Call(function: .malloc, ctx: ctxBits, size: size, elementSize: 0, pointer: 0, result: bits(result)))
        return result
    }

    private func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        if let defect { return defect.calloc(nelem, elsize, below) }
        let result = shouldFail(.calloc) ? nil : below.calloc(below.ctx, nelem, elsize)
        record(Call(function: .calloc, ctx: ctxBits, size: nelem, elementSize: elsize, pointer: 0, result: bits(result)))
        return result
    }

    private func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if let defect { return defect.realloc(pointer, size, below) }
        if let pointer { beforeRealloc?(pointer, size) }
        let result = shouldFail(.realloc) ? nil : below.realloc(below.ctx, pointer, size)
        record(Call(function: .realloc, ctx: ctxBits, size: size, elementSize: 0, pointer: bits(pointer), result: bits(result)))
        return result
    }

    private func free(_ pointer: UnsafeMutableRawPointer?) {
        if let defect { return defect.free(pointer, below) }
        record(Call(function: .free, ctx: ctxBits, size: 0, elementSize: 0, pointer: bits(pointer), result: 0))
        if let pointer { beforeFree?(pointer) }
        below.free(below.ctx, pointer)
    }

    private func bits(_ pointer: UnsafeMutableRawPointer?) -> UInt { UInt(bitPattern: pointer) }
}

extension AllocatorLayer {
    /// Slips a layer between a domain's debug hooks and the allocator they wrap, by rewriting
    /// the allocator kept inside the hooks' ctx (debug_alloc_api_t: the API id, then a
    /// PyMemAllocatorEx; the same from 3.6 to 3.13). Nil when the hooks are not on top.
    public static func installUnderDebugHooks(of domain: AllocatorDomain, in library: PythonLibrary) -> UnderHooks? {
        guard let inner = library.slotUnderDebugHook(domain) else { return nil }
        let layer = AllocatorLayer(domain: domain, below: inner.pointee)
        inner.pointee = layer.allocator
        return UnderHooks(layer: layer, slot: inner)
    }

    /// A layer under the debug hooks, and the slot to put the original back into.
    public struct UnderHooks {
        public let layer: AllocatorLayer
        let slot: UnsafeMutablePointer<PMCMemAllocatorEx>

        public func uninstall() { slot.pointee = layer.below }
    }
}
