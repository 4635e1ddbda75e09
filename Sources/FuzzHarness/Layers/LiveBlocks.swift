import Foundation

/// A counting layer on top of a domain: the blocks handed out through it and not yet freed.
/// An input must leave none behind.
final class LiveBlocks: AllocatorHook, @unchecked Sendable {
    private let lock = NSLock()
    private var live: Set<UInt> = []

    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { add(below.malloc(size)) }
    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? { add(below.calloc(count, size)) }

    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = below.realloc(pointer, size)
        if result != nil, let pointer { remove(pointer) }
        return add(result)
    }

    override func free(_ pointer: UnsafeMutableRawPointer?) {
        if let pointer { remove(pointer) }
        below.free(pointer)
    }

    private func add(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        if let pointer { _ = lock.withLock { live.insert(UInt(bitPattern: pointer)) } }
        return pointer
    }

    private func remove(_ pointer: UnsafeMutableRawPointer) {
        _ = lock.withLock { live.remove(UInt(bitPattern: pointer)) }
    }

    /// Forgets what is live (blocks made before this input are not its business).
    func reset() { lock.withLock { live.removeAll() } }

    var count: Int { lock.withLock { live.count } }

    /// Whether `pointer` was handed out through this layer and not freed through it since.
    func contains(_ pointer: UnsafeMutableRawPointer) -> Bool { lock.withLock { live.contains(UInt(bitPattern: pointer)) } }
}
