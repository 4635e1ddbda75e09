import Foundation
import Glibc

/// The layer certify puts under a plugin (as part of its `previous`): each block it hands out
/// ends against an inaccessible page, a freed block is made inaccessible (and kept so for a
/// while), and realloc always moves. A plugin that reads or writes out of bounds, or after a
/// free, crashes at once instead of corrupting memory quietly. Only blocks asked for while it
/// is armed (after initialisation) are guarded; the rest go to the real allocator.
final class GuardLayer: AllocatorHook, @unchecked Sendable {
    /// Guarding starts once the runtime is up (initialisation alone makes tens of thousands of
    /// blocks, and each guarded one costs two pages).
    var armed = false
    static let largestGuarded = 1 << 20
    static let quarantineLength = 256
    private let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    private let lock = NSLock()
    /// Guarded block → (mapping start, mapping length, requested size).
    private var blocks: [UInt: (start: UInt, length: Int, size: Int)] = [:]
    private var quarantine: [(start: UInt, length: Int)] = []

    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        guard armed, size <= Self.largestGuarded else { return below.malloc(size) }
        return guarded(size)
    }

    override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        // nelem and elsize are size_t: multiplied signed, (SIZE_MAX, 3) would give -3.
        let (total, overflow) = UInt(bitPattern: count).multipliedReportingOverflow(by: UInt(bitPattern: size))
        guard armed, !overflow, total <= UInt(Self.largestGuarded) else { return below.calloc(count, size) }
        return guarded(Int(total))  // fresh mappings are zero
    }

    override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return malloc(size) }
        guard let block = lock.withLock({ blocks[UInt(bitPattern: pointer)] }) else { return below.realloc(pointer, size) }
        guard let moved = size <= Self.largestGuarded ? guarded(size) : below.malloc(size) else { return nil }
        moved.copyMemory(from: pointer, byteCount: min(block.size, size))
        free(pointer)
        return moved
    }

    override func free(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer, let block = lock.withLock({ blocks.removeValue(forKey: UInt(bitPattern: pointer)) }) else {
            return below.free(pointer)
        }
        mprotect(UnsafeMutableRawPointer(bitPattern: block.start), block.length, PROT_NONE)
        let evicted: (start: UInt, length: Int)? = lock.withLock {
            quarantine.append((block.start, block.length))
            return quarantine.count > Self.quarantineLength ? quarantine.removeFirst() : nil
        }
        if let evicted { munmap(UnsafeMutableRawPointer(bitPattern: evicted.start), evicted.length) }
    }

    /// A mapping of whole pages plus one inaccessible page; the block ends at that page (its
    /// start rounded down to 16 bytes, so it may end up to 15 bytes short of the guard).
    private func guarded(_ size: Int) -> UnsafeMutableRawPointer? {
        let dataPages = (max(size, 1) + page - 1) / page
        let length = (dataPages + 1) * page
        guard let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), start != MAP_FAILED else {
            return nil
        }
        mprotect(start + dataPages * page, page, PROT_NONE)
        let offset = (dataPages * page - max(size, 1)) & ~15
        let block = start + offset
        lock.withLock { blocks[UInt(bitPattern: block)] = (UInt(bitPattern: start), length, size) }
        return block
    }
}
