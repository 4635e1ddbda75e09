import Vocabulary

/// A counting layer on top of a domain: the blocks handed out through it and not yet freed.
/// An input must leave none behind.
public final class LiveBlocks: AllocatorLayer, @unchecked Sendable {
    private let live = Locked<Set<UInt>>([])

    public override init() { super.init() }

    public override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { add(below.malloc(size)) }
    public override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        add(below.calloc(count, size))
    }

    public override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = below.realloc(pointer, size)
        if result != nil, let pointer { remove(pointer) }
        return add(result)
    }

    public override func free(_ pointer: UnsafeMutableRawPointer?) {
        if let pointer { remove(pointer) }
        below.free(pointer)
    }

    private func add(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        if let pointer { _ = live.withLock { $0.insert(UInt(bitPattern: pointer)) } }
        return pointer
    }

    private func remove(_ pointer: UnsafeMutableRawPointer) {
        _ = live.withLock { $0.remove(UInt(bitPattern: pointer)) }
    }

    /// Forgets what is live (blocks made before this input are not its business).
    public func reset() { live.withLock { $0.removeAll() } }

    public var count: Int { live.withLock { $0.count } }

    /// Whether `pointer` was handed out through this layer and not freed through it since.
    public func contains(_ pointer: UnsafeMutableRawPointer) -> Bool {
        live.withLock { $0.contains(UInt(bitPattern: pointer)) }
    }
}
