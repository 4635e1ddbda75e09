import AllocatorLayers
import CPythonABI
import FuzzHarness
import Glibc
import Isolation
import XCTest

/// Certify's guard layer on its own, over the C library's allocator: a guarded block ends
/// against an inaccessible page, a freed one is inaccessible at once, and slots coming back
/// from the pool are reused and, for calloc, zero.
final class GuardLayerTests: XCTestCase {
    static var libc: PMCMemAllocatorEx {
        PMCMemAllocatorEx(
            ctx: nil, malloc: { _, size in malloc(size) },
            calloc: { _, count, size in calloc(count, size) },
            realloc: { _, pointer, size in realloc(pointer, size) },
            free: { _, pointer in free(pointer) })
    }
    static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    func guarded() -> Below {
        let layer = GuardLayer()
        let below = Below(layer.install(over: Self.libc))
        layer.armed = true
        return below
    }

    func testBlocksEndAtAGuardAndFreedBlocksAreClosed() throws {
        let layer = guarded()
        let block = try XCTUnwrap(layer.malloc(100))
        XCTAssertTrue(Memory.isReadable(block, count: 100))
        let guardPage = UnsafeRawPointer(bitPattern: (UInt(bitPattern: block) | UInt(Self.page - 1)) + 1)!
        XCTAssertLessThanOrEqual(guardPage - UnsafeRawPointer(block + 100), 15, "the block ends against its guard")
        XCTAssertFalse(Memory.isReadable(guardPage, count: 1), "the page after the block is accessible")
        layer.free(block)
        XCTAssertFalse(Memory.isReadable(block, count: 100), "a freed block can still be read")
    }

    func testSlotsAreReusedAfterTheQuarantineAndCallocIsZero() throws {
        let layer = guarded()
        var seen: Set<UInt> = []
        for _ in 0..<300 {
            let block = try XCTUnwrap(layer.malloc(3000))
            memset(block, 0xAB, 3000)
            seen.insert(UInt(bitPattern: block) & ~UInt(Self.page - 1))
            layer.free(block)
        }
        let block = try XCTUnwrap(layer.calloc(1, 3000))
        XCTAssertTrue(seen.contains(UInt(bitPattern: block) & ~UInt(Self.page - 1)), "no slot came back from the pool")
        let nonZero = (0..<3000).first { block.load(fromByteOffset: $0, as: UInt8.self) != 0 }
        XCTAssertNil(nonZero, "a reused calloc block is not zero")
        layer.free(block)
    }

    /// Sizes are size_t, as CPython passes them: every request no allocator can meet gets NULL
    /// through every layer pymemcheck puts under or over a plugin, and a failed realloc keeps
    /// its block. Read as signed, PTRDIFF_MAX + k is negative and a layer that compares it
    /// with a limit would hand out a small block instead.
    func testEveryLayerRefusesWhatTheRealAllocatorRefuses() throws {
        let ptrdiffMax = UInt(Int.max)
        let impossible: [UInt] = [ptrdiffMax, ptrdiffMax + 1, ptrdiffMax + 17, UInt.max - 15, UInt.max]
        let overflowing: [(UInt, UInt)] = [(1 << 32, 1 << 32), (ptrdiffMax + 1, 2), (UInt.max, 3), (ptrdiffMax, 1)]
        for (name, layer) in Self.layers() {
            let below = Below(layer.install(over: Self.libc))
            (layer as? GuardLayer)?.armed = true
            for size in impossible {
                let asked = Int(bitPattern: size)
                XCTAssertNil(below.malloc(asked), "\(name): malloc(\(size)) returned a block")
                let block = try XCTUnwrap(below.malloc(64), name)
                memset(block, 0x3C, 64)
                XCTAssertNil(below.realloc(block, asked), "\(name): realloc(p, \(size)) returned a block")
                let kept = (0..<64).allSatisfy { block.load(fromByteOffset: $0, as: UInt8.self) == 0x3C }
                XCTAssertTrue(kept, "\(name): a failed realloc changed the block")
                below.free(block)
            }
            for (count, size) in overflowing {
                let result = below.calloc(Int(bitPattern: count), Int(bitPattern: size))
                XCTAssertNil(result, "\(name): calloc(\(count), \(size)) returned a block")
            }
        }
    }

    /// Each kind of layer that sits under or over a plugin, freshly made.
    static func layers() -> [(String, AllocatorLayer)] {
        [
            ("guard", GuardLayer()), ("fault", FaultLayer(hostile: false)),
            ("hostile fault", FaultLayer(hostile: true, moves: true)), ("recording", RecordingLayer()),
            ("live blocks", LiveBlocks()),
        ]
    }
}
