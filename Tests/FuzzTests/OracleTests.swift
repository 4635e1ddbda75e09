import OpLanguage
import Oracle
import XCTest

/// The oracle's own rules, without a runtime.
final class OracleTests: XCTestCase {
    func testMustFailAboveSsizeMaxAndOnCallocOverflow() {
        XCTAssertTrue(Oracle.mustFail(size: UInt(Int.max) + 1))
        XCTAssertFalse(Oracle.mustFail(size: UInt(Int.max)))
        XCTAssertTrue(Oracle.mustFail(count: UInt.max, size: 2))
        XCTAssertTrue(Oracle.mustFail(count: 1 << 32, size: 1 << 32))
        XCTAssertFalse(Oracle.mustFail(count: 0, size: UInt.max))
        XCTAssertFalse(Oracle.mustFail(count: 1 << 20, size: 1 << 20))
    }

    func testKnownRangesMergeAndTruncate() {
        var known = KnownRanges(0..<4)
        known.insert(10..<20)
        known.insert(4..<10)
        XCTAssertEqual(known.ranges, [0..<20])
        known.insert(30..<40)
        known.truncate(to: 35)
        XCTAssertEqual(known.ranges, [0..<20, 30..<35])
        known.truncate(to: 25)
        XCTAssertEqual(known.ranges, [0..<20])
    }

    func testBlockModelResizeKeepsMinimumAndFillsGrowth() {
        var block = BlockModel(
            address: 0x1000, domain: .mem, size: 4, expected: [1, 2, 3, 4], known: KnownRanges(0..<4))
        block.resize(to: 6, fill: 0xCD)
        XCTAssertEqual(block.expected, [1, 2, 3, 4, 0xCD, 0xCD])
        XCTAssertEqual(block.known.ranges, [0..<6])
        block.resize(to: 2, fill: nil)
        XCTAssertEqual(block.expected, [1, 2])
        block.resize(to: 3, fill: nil)
        XCTAssertEqual(block.known.ranges, [0..<2] as [Range<Int>], "grown bytes without a promised fill are unknown")
    }

    func testOverlapAndDistinctAreFindings() throws {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        let oracle = Oracle(version: PythonVersionFixture.v313, debugHooks: false)
        oracle.allocated(
            memory, slot: Slot(0), domain: .raw, size: 32, zeroed: true, shouldFail: false, injectedFailure: false)
        oracle.allocated(
            memory + 16, slot: Slot(1), domain: .raw, size: 8, zeroed: false, shouldFail: false, injectedFailure: false
        )
        oracle.allocated(
            memory, slot: Slot(2), domain: .mem, size: 0, zeroed: false, shouldFail: false, injectedFailure: false)
        XCTAssertEqual(oracle.takeFindings().map(\.invariant), [.noOverlap, .distinct])
    }

    func testMustFailResultThatSucceedsIsAFinding() {
        let oracle = Oracle(version: PythonVersionFixture.v313, debugHooks: false)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        defer { memory.deallocate() }
        oracle.allocated(
            memory, slot: Slot(0), domain: .obj, size: UInt.max, zeroed: false, shouldFail: true,
            injectedFailure: false)
        oracle.allocated(
            nil, slot: Slot(1), domain: .obj, size: 1, zeroed: false, shouldFail: false, injectedFailure: false)
        XCTAssertEqual(oracle.takeFindings().map(\.invariant), [.mustFail, .nonNull])
        XCTAssertNil(oracle.block(in: Slot(0)))
    }

    /// After a failure injected below the API, NULL is the answer the documents give, and a
    /// block (the allocator met the request another way) is judged like any other.
    func testInjectedFailureAllowsNullOrAGoodBlock() {
        let oracle = Oracle(version: PythonVersionFixture.v313, debugHooks: false)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 7, count: 16)
        oracle.allocated(
            nil, slot: Slot(0), domain: .obj, size: 1000, zeroed: false, shouldFail: false, injectedFailure: true)
        oracle.allocated(
            memory, slot: Slot(1), domain: .obj, size: 16, zeroed: true, shouldFail: false, injectedFailure: true)
        XCTAssertEqual(
            oracle.takeFindings().map(\.invariant), [.callocZeroed], "NULL is fine; a block that is not zeroed is not")
    }

    /// A realloc that returned NULL after freeing the old block is reported without reading it.
    func testFailedReallocThatFreedTheBlockIsReportedUnread() {
        let oracle = Oracle(version: PythonVersionFixture.v313, debugHooks: false)
        let unreadable = UnsafeMutableRawPointer(bitPattern: 0x10)! // reading it would crash the test
        oracle.allocated(
            unreadable, slot: Slot(0), domain: .mem, size: 8, zeroed: false, shouldFail: false, injectedFailure: false)
        oracle.reallocated(nil, slot: Slot(0), size: 0, shouldFail: false, injectedFailure: false, oldBlockLive: false)
        XCTAssertEqual(oracle.takeFindings().map(\.invariant), [.nonNull, .failureKeepsBlock])
        XCTAssertNil(oracle.block(in: Slot(0)))
    }
}
