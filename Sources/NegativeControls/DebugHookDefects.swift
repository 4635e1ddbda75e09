import AllocatorLayers
import CPythonABI
import Checks
import DebugHookChecks
import Foundation
import PyRuntime
import RuntimeChecks
import Vocabulary

/// Defects planted on top of the debug hooks: each takes away one thing the hooks do (erase,
/// detect), so that the clause about it must fail.
struct HookFrame {
    let library: PythonLibrary
    let domain: AllocatorDomain
    let version: PythonVersion
    static let word = BlockLayout.wordSize

    /// The allocator the hooks call now (a check may have slipped a layer in there).
    var underHooks: PMCMemAllocatorEx? { library.slotUnderDebugHook(domain)?.pointee }

    func storedSize(_ block: UnsafeMutableRawPointer) -> Int {
        BlockLayout(block: block, requested: 0, domain: domain).headerSize
    }
}

/// free hands the block to the allocator below the hooks directly: nothing is erased.
final class FreeSkipsErase: Defect, @unchecked Sendable {
    let frame: HookFrame
    init(_ frame: HookFrame) { self.frame = frame }

    override func free(_ block: UnsafeMutableRawPointer?) {
        guard let block, let inner = frame.underHooks else { return super.free(block) }
        inner.free(inner.ctx, block - BlockLayout.headerLength)
    }
}

/// A shrinking realloc scribbles over the bytes it gives up and resizes below the hooks
/// directly (rewriting the header and the tail itself): the bytes reach the allocator below
/// neither DEADBYTE nor as they were.
final class ShrinkSkipsErase: Defect, @unchecked Sendable {
    let frame: HookFrame
    init(_ frame: HookFrame) { self.frame = frame }

    override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let block, let inner = frame.underHooks else { return super.realloc(block, size) }
        let old = frame.storedSize(block)
        guard size < old else { return super.realloc(block, size) }
        let word = HookFrame.word
        let overhead = frame.version.debugHookOverhead
        memset(block + size, 0x11, old - size)
        // The tail: FORBIDDENBYTEs, and the serial number where the version has one.
        let tail = Array(UnsafeRawBufferPointer(start: block + old, count: overhead - BlockLayout.headerLength))
        guard let head = inner.realloc(inner.ctx, block - BlockLayout.headerLength, size + overhead) else {
            return nil
        }
        let moved = head + BlockLayout.headerLength
        for index in 0..<word {
            head.storeBytes(
                of: UInt8(truncatingIfNeeded: size >> (8 * (word - 1 - index))), toByteOffset: index, as: UInt8.self)
        }
        tail.withUnsafeBytes { (moved + size).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return moved
    }
}

/// free and realloc give each block to the domain whose API id it carries: the hooks never
/// see a block reach another domain's function.
final class RoutesToOwner: Defect, @unchecked Sendable {
    let frame: HookFrame
    let owners: [UInt8: PMCMemAllocatorEx]

    init(_ frame: HookFrame, owners: [UInt8: PMCMemAllocatorEx]) {
        self.frame = frame
        self.owners = owners
    }

    private func owner(_ block: UnsafeMutableRawPointer?) -> PMCMemAllocatorEx? {
        guard let block else { return nil }
        let id = (block - HookFrame.word).load(as: UInt8.self)
        return id == UInt8(ascii: frame.domain.apiID.unicodeScalars.first!) ? nil : owners[id]
    }
    override func free(_ block: UnsafeMutableRawPointer?) {
        guard let owner = owner(block) else { return super.free(block) }
        owner.free(owner.ctx, block)
    }
    override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let owner = owner(block) else { return super.realloc(block, size) }
        return owner.realloc(owner.ctx, block, size)
    }
}

/// Before free and realloc, the API id and both pads are written back as the hooks wrote
/// them: a write out of bounds is never seen.
final class RepairsBlocks: Defect, @unchecked Sendable {
    let frame: HookFrame
    init(_ frame: HookFrame) { self.frame = frame }

    private func repair(_ block: UnsafeMutableRawPointer?) {
        guard let block else { return }
        let word = HookFrame.word
        let forbidden = frame.version.debugBytes.forbidden
        (block - word).storeBytes(of: UInt8(ascii: frame.domain.apiID.unicodeScalars.first!), as: UInt8.self)
        memset(block - word + 1, Int32(forbidden), word - 1)
        memset(block + frame.storedSize(block), Int32(forbidden), word)
    }
    override func free(_ block: UnsafeMutableRawPointer?) {
        repair(block)
        super.free(block)
    }
    override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        repair(block)
        return super.realloc(block, size)
    }
}

/// A call made without the GIL takes it first: the hooks never see such a call.
final class TakesTheGIL: Defect, @unchecked Sendable {
    typealias GILCheck = @convention(c) () -> Int32
    let library: PythonLibrary
    let holds: GILCheck?

    init(_ library: PythonLibrary) {
        self.library = library
        holds = library.optionalSymbol("PyGILState_Check", as: GILCheck.self)
    }

    private func withGIL<T>(_ body: () -> T) -> T {
        guard let holds, holds() == 0 else { return body() }
        let state = library.gilStateEnsure()
        defer { library.gilStateRelease(state) }
        return body()
    }
    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { withGIL { super.malloc(size) } }
    override func calloc(_ nelem: Int, _ elsize: Int) -> UnsafeMutableRawPointer? {
        withGIL { super.calloc(nelem, elsize) }
    }
    override func realloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        withGIL { super.realloc(block, size) }
    }
    override func free(_ block: UnsafeMutableRawPointer?) { withGIL { super.free(block) } }
}

/// A MEM call made by a thread with no thread state aborts at once, before the hooks could
/// report: a check that expects their report must fail (the call is neither reported nor served).
final class AbortsWithoutThreadState: Defect, @unchecked Sendable {
    typealias Current = @convention(c) () -> OpaquePointer?
    let current: Current?

    init(_ library: PythonLibrary) {
        current =
            library.optionalSymbol("PyThreadState_GetUnchecked", as: Current.self)
            ?? library.optionalSymbol("_PyThreadState_UncheckedGet", as: Current.self)
    }

    private func checked<T>(_ body: () -> T) -> T {
        if let current, current() == nil { abort() }
        return body()
    }
    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { checked { super.malloc(size) } }
    override func free(_ block: UnsafeMutableRawPointer?) { checked { super.free(block) } }
}

/// A call from a thread with no thread state takes the GIL first (PyGILState_Ensure), as if
/// RAW needed it: such a call waits while another thread holds the GIL.
final class WaitsForTheGIL: Defect, @unchecked Sendable {
    typealias Current = @convention(c) () -> OpaquePointer?
    let library: PythonLibrary
    let current: Current?

    init(_ library: PythonLibrary) {
        self.library = library
        current =
            library.optionalSymbol("PyThreadState_GetUnchecked", as: Current.self)
            ?? library.optionalSymbol("_PyThreadState_UncheckedGet", as: Current.self)
    }

    private func withGIL<T>(_ body: () -> T) -> T {
        guard let current, current() == nil else { return body() }
        let state = library.gilStateEnsure()
        defer { library.gilStateRelease(state) }
        return body()
    }
    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? { withGIL { super.malloc(size) } }
    override func free(_ block: UnsafeMutableRawPointer?) { withGIL { super.free(block) } }
}

/// Every block's trace is dropped before the block is freed: a report has no traceback to show.
final class DropsTraces: Defect, @unchecked Sendable {
    let untrack: (@convention(c) (UInt32, UInt) -> Int32)?
    init(_ library: PythonLibrary) { untrack = library.traceMallocUntrack }

    override func free(_ block: UnsafeMutableRawPointer?) {
        if let block { _ = untrack?(0, UInt(bitPattern: block)) }
        super.free(block)
    }
}

/// The object allocator takes an arena from the arena allocator though pymalloc is off.
final class TakesAnArena: Defect, @unchecked Sendable {
    let library: PythonLibrary
    private var taken = false
    init(_ library: PythonLibrary) { self.library = library }

    override func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        if !taken {
            taken = true
            let arenas = library.arenaAllocator
            _ = arenas.alloc(arenas.ctx, 256 << 10)
        }
        return super.malloc(size)
    }
}
