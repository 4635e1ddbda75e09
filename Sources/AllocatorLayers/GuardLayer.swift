import Glibc
import Vocabulary

/// The layer certify puts under a plugin (as part of its `previous`): each block it hands out
/// ends against an inaccessible page, a freed block is made inaccessible (and kept so for a
/// while), and realloc always moves. A plugin that reads or writes out of bounds, or after a
/// free, crashes at once instead of corrupting memory quietly. Only blocks asked for while it
/// is armed (after initialisation) are guarded; the rest go to the real allocator.
///
/// Guarded slots are mapped once and reused (GuardSlots): a block costs two mprotect calls,
/// not a mapping, a protection change and an unmapping, so that certify's fuzzing keeps up.
public final class GuardLayer: AllocatorLayer, @unchecked Sendable {
    /// Guarding starts once the runtime is up (initialisation alone makes tens of thousands of
    /// blocks, and each guarded one costs two pages).
    public var armed = false
    public static let largestGuarded = 1 << 20
    /// Live guarded blocks at most: each is two of the kernel's mappings, and a process gets
    /// 65,530 (vm.max_map_count). Past this, and whenever a slot cannot be mapped, a block is the
    /// real allocator's: a guard layer that answered NULL there would make pymemcheck, not the
    /// plugin, fail requests (four interpreters starting at once make some 60,000 blocks).
    public static let mostLive = 16_384

    /// A guarded block: its slot, and the size asked for.
    private struct Block {
        var slot: GuardSlots.Slot
        var size: Int
    }

    private let slots = GuardSlots()
    private let blocks = Locked<[UInt: Block]>([:])

    public override init() { super.init() }

    public override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        guard armed, Self.isGuarded(size), let block = guarded(size, zeroed: false) else { return below.malloc(size) }
        return block
    }

    public override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        // nelem and elsize are size_t: multiplied signed, (SIZE_MAX, 3) would give -3.
        let (total, overflow) = UInt(bitPattern: count).multipliedReportingOverflow(by: UInt(bitPattern: size))
        // An overflowing product is refused here: CPython's own allocator functions leave that
        // to the API functions above them (a debug build asserts, a release build wraps), and
        // the plugin header promises that passing such a request on to `previous` is fine.
        if overflow { return nil }
        guard armed, Self.isGuarded(Int(bitPattern: total)), let block = guarded(Int(total), zeroed: true)
        else { return below.calloc(count, size) }
        return block
    }

    public override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return malloc(size) }
        guard let block = blocks.withLock({ $0[UInt(bitPattern: pointer)] }) else {
            return below.realloc(pointer, size)
        }
        guard let moved = (Self.isGuarded(size) ? guarded(size, zeroed: false) : nil) ?? below.malloc(size) else {
            return nil
        }
        moved.copyMemory(from: pointer, byteCount: min(block.size, size))
        free(pointer)
        return moved
    }

    public override func free(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer, let block = blocks.withLock({ $0.removeValue(forKey: UInt(bitPattern: pointer)) }) else {
            return below.free(pointer)
        }
        slots.retire(block.slot)
    }

    /// Whether a request of `size` bytes gets a guarded block. The size is CPython's size_t
    /// (Swift imports it as Int): compared signed, a request above PTRDIFF_MAX would read as
    /// negative, get a one-page block where the real allocator returns NULL, and make a correct
    /// plugin that passes such a request on look as if it met an impossible one.
    static func isGuarded(_ size: Int) -> Bool { UInt(bitPattern: size) <= UInt(largestGuarded) }

    /// A block at the end of a slot's data pages, against its guard page (its start rounded
    /// down to 16 bytes, so it may end up to 15 bytes short of the guard).
    private func guarded(_ size: Int, zeroed: Bool) -> UnsafeMutableRawPointer? {
        guard blocks.withLock({ $0.count }) < Self.mostLive, let slot = slots.take(dataBytes: max(size, 1)) else {
            return nil
        }
        let offset = (slot.dataLength - max(size, 1)) & ~15
        let block = slot.start + offset
        // A zero-size calloc's block is one usable byte, zeroed too: CPython's allocators below
        // serve it as calloc(1, 1), and a plugin passing it on must get what they would give.
        if zeroed && slot.reused { slots.zero(slot, from: offset, count: max(size, 1)) }
        blocks.withLock { $0[UInt(bitPattern: block)] = Block(slot: slot, size: size) }
        return block
    }
}
