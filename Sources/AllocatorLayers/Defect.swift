import CPythonABI
import Foundation
import PyRuntime
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// One allocator behaviour done wrong on purpose, as a layer on top of a domain: it answers the
/// domain's calls instead of plain forwarding. Each subclass overrides what it breaks; the rest
/// goes to the allocator below unchanged. One family for both uses: a negative control plants
/// one to make a clause's check fail, and a mutant (Mutant.swift) is one, for the fuzzers and
/// certify to find.
open class Defect: AllocatorLayer, @unchecked Sendable {
    public override init() { super.init() }

    /// Flips a byte so that it differs from whatever was there.
    static func flip(_ block: UnsafeMutableRawPointer, at offset: Int = 0) {
        block.storeBytes(of: ~block.load(fromByteOffset: offset, as: UInt8.self), toByteOffset: offset, as: UInt8.self)
    }
}

// MARK: zero-size requests, calloc, limits

/// Every zero-size request gets the same block, and its frees are ignored.
package final class SharedZeroBlock: Defect, @unchecked Sendable {
    /// Under a lock: as a mutant it serves the fuzzers' threads.
    private let block = Locked<UnsafeMutableRawPointer?>(nil)
    private var shared: UnsafeMutableRawPointer? { block.withLock { $0 } }

    private func zeroBlock() -> UnsafeMutableRawPointer? {
        block.withLock {
            if $0 == nil { $0 = below.malloc(1) }
            return $0
        }
    }

    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        size == 0 ? zeroBlock() : super.malloc(size)
    }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        nelem == 0 || elsize == 0 ? zeroBlock() : super.calloc(nelem, elsize)
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if block != nil && block == shared { return below.malloc(size) }
        return size == 0 && block == nil ? zeroBlock() : super.realloc(block, size)
    }
    package override func free(_ block: UnsafeMutableRawPointer?) {
        if block == nil || block != shared { super.free(block) }
    }
}

/// calloc is malloc: the block holds whatever was there (made visible by a fill).
package final class CallocNotZeroed: Defect, @unchecked Sendable {
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        let (total, overflow) = UInt(bitPattern: nelem).multipliedReportingOverflow(by: UInt(bitPattern: elsize))
        guard !overflow, let block = below.malloc(Int(bitPattern: total)) else { return nil }
        memset(block, 0xA5, Int(bitPattern: total))
        return block
    }
}

/// calloc multiplies in 32 bits without an overflow check, and serves the wrapped product
/// (a size the allocator below can always meet, so the wrong block is really handed out).
package final class CallocWraps: Defect, @unchecked Sendable {
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        below.calloc(1, Int(UInt32(truncatingIfNeeded: UInt(bitPattern: nelem) &* UInt(bitPattern: elsize))))
    }
}

/// Requests above PY_SSIZE_T_MAX are served with 16 bytes instead of failing.
package final class HugeRequestsServed: Defect, @unchecked Sendable {
    static func huge(_ size: Int) -> Bool { size < 0 }

    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        super.malloc(Self.huge(size) ? 16 : size)
    }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        Self.huge(nelem) || Self.huge(elsize) ? below.calloc(1, 16) : super.calloc(nelem, elsize)
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        super.realloc(block, Self.huge(size) ? 16 : size)
    }
}

// MARK: realloc and free

/// realloc(NULL, n) fails.
package final class ReallocNullFails: Defect, @unchecked Sendable {
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        block == nil ? nil : super.realloc(block, size)
    }
}

/// realloc(p, 0) fails (returns NULL, keeps p) instead of resizing to zero bytes.
package final class ReallocZeroFails: Defect, @unchecked Sendable {
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        block != nil && size == 0 ? nil : super.realloc(block, size)
    }
}

/// realloc loses the first byte of the contents.
package final class ReallocLosesFirstByte: Defect, @unchecked Sendable {
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = super.realloc(block, size)
        if let result, block != nil, size > 0 { Defect.flip(result) }
        return result
    }
}

/// A realloc that fails damages the block it leaves in place.
package final class FailedReallocDamages: Defect, @unchecked Sendable {
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = super.realloc(block, size)
        if result == nil, let block { Defect.flip(block) }
        return result
    }
}

/// free(NULL) damages the block most recently handed out.
package final class FreeNullDamages: Defect, @unchecked Sendable {
    private var last: UnsafeMutableRawPointer?

    private func remember(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if let block, size > 0 { last = block }
        return block
    }
    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        remember(super.malloc(size), size)
    }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        remember(super.calloc(nelem, elsize), nelem &* elsize)
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if block == last { last = nil }
        return remember(super.realloc(block, size), size)
    }
    package override func free(_ block: UnsafeMutableRawPointer?) {
        guard let block else {
            if let last { Defect.flip(last) }
            return
        }
        if block == last { last = nil }
        super.free(block)
    }
}

/// Every fourth request or so (the first that fits after three) is served from inside the
/// previous block (its last bytes).
package final class OverlappingBlocks: Defect, @unchecked Sendable {
    private var previous: (block: UnsafeMutableRawPointer, size: Int)?
    private var fakes: Set<UnsafeMutableRawPointer> = []
    private var count = 0

    private func serve(_ size: Int, _ real: () -> UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        count += 1
        if count >= 4, size > 0, let previous, previous.size > size {
            count = 0
            let fake = previous.block + (previous.size - size)
            fakes.insert(fake)
            return fake
        }
        let block = real()
        if let block { previous = (block, size) }
        return block
    }
    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        serve(size) { super.malloc(size) }
    }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        let size = nelem &* elsize
        return serve(size) { super.calloc(nelem, elsize) }.map { block in
            memset(block, 0, size)
            return block
        }
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if let block, fakes.remove(block) != nil { return serve(size) { super.malloc(size) } }
        if block != nil && block == previous?.block { previous = nil }
        return serve(size) { super.realloc(block, size) }
    }
    package override func free(_ block: UnsafeMutableRawPointer?) {
        if let block, fakes.remove(block) != nil { return }
        if block != nil && block == previous?.block { previous = nil }
        super.free(block)
    }
}

/// Only the thread that planted it gets memory: calls from any other thread fail.
package final class FailsOffItsThread: Defect, @unchecked Sendable {
    private let owner = pthread_self()
    private var onOwner: Bool { pthread_equal(pthread_self(), owner) != 0 }

    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        onOwner ? super.malloc(size) : nil
    }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        onOwner ? super.calloc(nelem, elsize) : nil
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        onOwner ? super.realloc(block, size) : nil
    }
}

/// Every request asks the allocator below for one byte more than the caller asked for.
package final class OneByteMore: Defect, @unchecked Sendable {
    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { super.malloc(size + 1) }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        let (total, overflow) = UInt(bitPattern: nelem).multipliedReportingOverflow(by: UInt(bitPattern: elsize))
        return overflow || total >= UInt(Int.max) ? nil : below.calloc(1, Int(total) + 1)
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        super.realloc(block, size + 1)
    }
}

/// Fresh memory is not left as the allocator below filled it: malloc clears the first byte,
/// realloc the last.
package final class TouchesFreshBytes: Defect, @unchecked Sendable {
    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        let block = super.malloc(size)
        if let block, size > 0 { block.storeBytes(of: 0, as: UInt8.self) }
        return block
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        let result = super.realloc(block, size)
        if let result, size > 0 { result.storeBytes(of: 0, toByteOffset: size - 1, as: UInt8.self) }
        return result
    }
}

/// New blocks come from elsewhere (the C library's malloc, or anonymous mappings) rather
/// than from the allocator below, while `serves` says so; blocks that came from below go back
/// to it. Pymalloc, arenas and the debug hooks are then out of the picture for those requests.
package final class ServedByLibc: Defect, @unchecked Sendable {
    package enum Source { case malloc, mappings }
    private let source: Source
    private let serves: (Int) -> Bool
    private var own: [UnsafeMutableRawPointer: Int] = [:]

    package init(source: Source = .malloc, when serves: @escaping (Int) -> Bool = { _ in true }) {
        self.source = source
        self.serves = serves
    }

    private func take(_ size: Int) -> UnsafeMutableRawPointer? {
        let size = max(size, 1)
        let block: UnsafeMutableRawPointer?
        switch source {
        case .malloc: block = Glibc.malloc(size)
        case .mappings:
            let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            block = mapped == MAP_FAILED ? nil : mapped
        }
        if let block { own[block] = size }
        return block
    }

    private func give(_ block: UnsafeMutableRawPointer) {
        guard let size = own.removeValue(forKey: block) else { return }
        switch source {
        case .malloc: Glibc.free(block)
        case .mappings: munmap(block, size)
        }
    }

    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        serves(size) ? take(size) : super.malloc(size)
    }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        let (product, overflow) = UInt(bitPattern: nelem).multipliedReportingOverflow(by: UInt(bitPattern: elsize))
        guard !overflow, product <= UInt(Int.max), serves(Int(product)), let block = take(Int(product)) else {
            return super.calloc(nelem, elsize)
        }
        memset(block, 0, max(Int(product), 1))
        return block
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let block, let old = own[block] else {
            return block == nil && serves(size) ? take(size) : super.realloc(block, size)
        }
        guard let moved = take(size) else { return nil }
        moved.copyMemory(from: block, byteCount: min(old, max(size, 1)))
        give(block)
        return moved
    }
    package override func free(_ block: UnsafeMutableRawPointer?) {
        if let block, own[block] != nil { return give(block) }
        super.free(block)
    }
}

/// Calls the allocator below (one of pymemcheck's layers) with another ctx than the one it
/// was installed with.
package final class PassesAnotherContext: Defect, @unchecked Sendable {
    private var aliases: [UnsafeMutableRawPointer: UnsafeMutableRawPointer] = [:]

    /// The allocator below, called through an alias of its ctx when it is one of our layers.
    private var other: Below {
        guard let ctx = below.allocator.ctx, OwnHooks.isOwn(ctx) else { return below }
        var changed = below.allocator
        if aliases[ctx] == nil {
            aliases[ctx] = ContextAlias.make(for: Unmanaged<AllocatorLayer>.fromOpaque(ctx).takeUnretainedValue())
        }
        changed.ctx = aliases[ctx]
        return Below(changed)
    }
    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { other.malloc(size) }
    package override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        other.calloc(nelem, elsize)
    }
    package override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        other.realloc(block, size)
    }
    package override func free(_ block: UnsafeMutableRawPointer?) { other.free(block) }
}

/// A block freed a second time is not freed again: the second free is dropped silently.
package final class IgnoresSecondFree: Defect, @unchecked Sendable {
    private var freed: Set<UnsafeMutableRawPointer> = []

    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        let block = super.malloc(size)
        if let block { freed.remove(block) }
        return block
    }
    package override func free(_ block: UnsafeMutableRawPointer?) {
        guard let block else { return super.free(block) }
        if freed.insert(block).inserted { super.free(block) }
    }
}

/// New arenas come from the C library's malloc instead of anonymous mappings of their own;
/// arenas taken before go back to the allocator that gave them (one per forked child).
package enum ArenasFromMalloc {
    nonisolated(unsafe) static var previous = PMCArenaAllocator()
    nonisolated(unsafe) static var own: Set<UnsafeMutableRawPointer> = []

    package static func install(in library: PythonLibrary) {
        previous = library.arenaAllocator
        library.arenaAllocator = PMCArenaAllocator(
            ctx: nil,
            alloc: { _, size in
                let arena = Glibc.malloc(size)
                if let arena { ArenasFromMalloc.own.insert(arena) }
                return arena
            },
            free: { _, arena, size in
                if let arena, ArenasFromMalloc.own.remove(arena) != nil { return Glibc.free(arena) }
                ArenasFromMalloc.previous.free(ArenasFromMalloc.previous.ctx, arena, size)
            })
    }
}

/// Makes the calls of the domain one at a time, as a GIL would: a lock held through each call.
package final class SerialisedCalls: Defect, @unchecked Sendable {
    private let lock = NSLock()

    private func alone<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
    package override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { alone { super.malloc(size) } }
    package override func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        alone { super.calloc(count, size) }
    }
    package override func realloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        alone { super.realloc(pointer, size) }
    }
    package override func free(_ pointer: UnsafeMutableRawPointer?) { alone { super.free(pointer) } }
}

/// Frees nothing: a leaking free, which every other clause would pass.
package final class FreeKeepsBlocks: Defect, @unchecked Sendable {
    package override func free(_ pointer: UnsafeMutableRawPointer?) {}
}
