import CPythonABI
import Vocabulary

/// One of pymemcheck's allocator layers: an object behind a PMCMemAllocatorEx whose ctx points
/// back to it. Subclasses override the four functions and call `below` for what they pass on;
/// where the layer sits (on top of a domain, under the debug hooks, under a plugin) is chosen
/// when it is installed (Placement.swift), the same way for every kind of layer. The ctx is
/// retained forever, because CPython may still call through a copy of the struct after the
/// layer is taken out.
open class AllocatorLayer: @unchecked Sendable {
    /// The allocator this layer forwards to; set once, when the layer is installed.
    public internal(set) var below = Below(PMCMemAllocatorEx())
    /// The ctx this layer hands to CPython: an unmanaged reference to itself.
    public private(set) var ctx: UnsafeMutableRawPointer!
    /// Where the layer was installed, so that it can be taken out again.
    var placement: Placement?

    public init() {
        ctx = Unmanaged.passRetained(self).toOpaque()
    }

    open func malloc(_ size: Int) -> UnsafeMutableRawPointer? { below.malloc(size) }
    open func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? { below.calloc(count, size) }
    open func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        below.realloc(pointer, size)
    }
    open func free(_ pointer: UnsafeMutableRawPointer?) { below.free(pointer) }

    /// Called with the ctx each call came in with (an alias of the layer's ctx, when a control
    /// made CPython pass another one). Only a layer that records calls cares.
    open func entered(with ctx: UnsafeMutableRawPointer?) {}

    /// The PyMemAllocatorEx that routes into this layer (C function pointers cannot capture: the
    /// layer comes back from ctx, and the class dispatches to the subclass's functions).
    public var allocator: PMCMemAllocatorEx {
        PMCMemAllocatorEx(
            ctx: ctx,
            malloc: { ctx, size in
                AllocatorLayer.entered(ctx).malloc(size)
            },
            calloc: { ctx, count, size in
                AllocatorLayer.entered(ctx).calloc(count, size)
            },
            realloc: { ctx, pointer, size in
                AllocatorLayer.entered(ctx).realloc(pointer, size)
            },
            free: { ctx, pointer in
                AllocatorLayer.entered(ctx).free(pointer)
            })
    }

    /// The layer a ctx names: its own ctx, or an alias a control made (ContextAlias).
    static func entered(_ ctx: UnsafeMutableRawPointer?) -> AllocatorLayer {
        let layer = ContextAlias.layer(for: ctx) ?? Unmanaged<AllocatorLayer>.fromOpaque(ctx!).takeUnretainedValue()
        layer.entered(with: ctx)
        return layer
    }
}

/// Calls into the allocator a layer wraps (a plain C struct of pointers, safe to share).
public struct Below: @unchecked Sendable {
    public let allocator: PMCMemAllocatorEx

    public init(_ allocator: PMCMemAllocatorEx) { self.allocator = allocator }

    public func malloc(_ size: Int) -> UnsafeMutableRawPointer? { allocator.malloc(allocator.ctx, size) }
    public func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        allocator.calloc(allocator.ctx, count, size)
    }
    public func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        allocator.realloc(allocator.ctx, pointer, size)
    }
    public func free(_ pointer: UnsafeMutableRawPointer?) { allocator.free(allocator.ctx, pointer) }
}

/// Second names for a layer's ctx: a control that makes CPython "pass another ctx" hands the
/// layer an alias, which still finds the layer (so nothing crashes) but is not the ctx it was
/// installed with.
public enum ContextAlias {
    private struct Entry: @unchecked Sendable { let layer: AllocatorLayer }
    private static let aliases = Locked<[UInt: Entry]>([:])
    /// Whether any alias was made: every call of every layer asks, and almost never has one.
    nonisolated(unsafe) private static var made = false

    /// A new ctx value that names `layer`.
    public static func make(for layer: AllocatorLayer) -> UnsafeMutableRawPointer {
        let alias = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        aliases.withLock { $0[UInt(bitPattern: alias)] = Entry(layer: layer) }
        made = true
        return alias
    }

    static func layer(for ctx: UnsafeMutableRawPointer?) -> AllocatorLayer? {
        guard made else { return nil }
        return aliases.withLock { $0[UInt(bitPattern: ctx)]?.layer }
    }
}
