import AllocatorLayers
import CPythonABI
import FuzzHarness
import Glibc
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
}
