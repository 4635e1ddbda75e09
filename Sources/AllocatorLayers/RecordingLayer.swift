import CPythonABI
import PyRuntime
import Vocabulary

/// A layer that records every call (the ctx it was given, the arguments, the result) and
/// forwards to the allocator below, or fails the calls it is told to fail: what a clause check
/// puts on top of a domain, or under the debug hooks so that what the hooks themselves ask of
/// the allocator can be seen and failed.
public final class RecordingLayer: AllocatorLayer, @unchecked Sendable {
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

        public init(function: Function, ctx: UInt, size: Int, elementSize: Int, pointer: UInt, result: UInt) {
            self.function = function
            self.ctx = ctx
            self.size = size
            self.elementSize = elementSize
            self.pointer = pointer
            self.result = result
        }
    }

    private struct Record {
        var calls: [Call] = []
        var failures: [Function: Int] = [:]
        /// The ctx values the layer was called with, in order (a control may pass another).
        var received: [UInt] = []
    }

    private let record = Locked(Record())
    /// Looks at a block just before it is freed or resized below this layer (pointer, new size).
    public var beforeFree: ((UnsafeMutableRawPointer) -> Void)?
    public var beforeRealloc: ((UnsafeMutableRawPointer, Int) -> Void)?
    /// Sees a block the allocator below returned (pointer, size), before the layer above does.
    public var afterMalloc: ((UnsafeMutableRawPointer, Int) -> Void)?

    public override init() { super.init() }

    /// A recording layer on top of `domain` (PyMem_SetAllocator).
    public static func installOnTop(of domain: AllocatorDomain, in library: PythonLibrary) -> RecordingLayer {
        RecordingLayer().install(onTopOf: domain, in: library)
    }

    /// A recording layer in place of the domain's allocator, below its debug hooks if any.
    public static func installReplacing(_ domain: AllocatorDomain, in library: PythonLibrary) -> RecordingLayer {
        RecordingLayer().install(replacing: domain, in: library)
    }

    /// A recording layer under the domain's debug hooks; nil when the hooks are not on top.
    public static func installUnderDebugHooks(
        of domain: AllocatorDomain,
        in library: PythonLibrary
    ) -> RecordingLayer? {
        let layer = RecordingLayer()
        return layer.installUnderDebugHooks(of: domain, in: library) ? layer : nil
    }

    public override func entered(with ctx: UnsafeMutableRawPointer?) {
        record.withLock { $0.received.append(UInt(bitPattern: ctx)) }
    }

    /// The ctx values this layer was called with since the last reset.
    public var receivedContexts: [UInt] { record.withLock { $0.received } }

    // MARK: what tests ask of the layer

    /// Starts a fresh record.
    public func reset() {
        record.withLock {
            $0.calls.removeAll()
            $0.received.removeAll()
        }
    }

    public var calls: [Call] { record.withLock { $0.calls } }

    /// The next `count` calls of `function` return NULL without reaching the allocator below.
    public func fail(_ function: Function, count: Int = 1) { record.withLock { $0.failures[function] = count } }

    /// Forgets failures that were armed but not used.
    public func disarm() { record.withLock { $0.failures.removeAll() } }

    // MARK: the hook functions

    private func shouldFail(_ function: Function) -> Bool {
        record.withLock {
            guard let left = $0.failures[function], left > 0 else { return false }
            $0.failures[function] = left - 1
            return true
        }
    }

    private func add(
        _ function: Function, size: Int = 0, elementSize: Int = 0,
        pointer: UnsafeMutableRawPointer? = nil, result: UnsafeMutableRawPointer? = nil
    ) {
        let call = Call(
            function: function, ctx: UInt(bitPattern: ctx), size: size, elementSize: elementSize,
            pointer: UInt(bitPattern: pointer), result: UInt(bitPattern: result))
        record.withLock { $0.calls.append(call) }
    }

    public override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        let result = shouldFail(.malloc) ? nil : below.malloc(size)
        if let result { afterMalloc?(result, size) }
        add(.malloc, size: size, result: result)
        return result
    }

    public override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = shouldFail(.calloc) ? nil : below.calloc(count, size)
        add(.calloc, size: count, elementSize: size, result: result)
        return result
    }

    public override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if let pointer { beforeRealloc?(pointer, size) }
        let result = shouldFail(.realloc) ? nil : below.realloc(pointer, size)
        add(.realloc, size: size, pointer: pointer, result: result)
        return result
    }

    public override func free(_ pointer: UnsafeMutableRawPointer?) {
        add(.free, pointer: pointer)
        if let pointer { beforeFree?(pointer) }
        below.free(pointer)
    }
}
