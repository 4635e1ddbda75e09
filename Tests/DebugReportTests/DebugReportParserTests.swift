import XCTest

@testable import DebugReport

/// Field-by-field checks of every captured fixture.
final class DebugReportParserTests: XCTestCase {
    func testEveryVersionAndScenarioWasCaptured() {
        let names = Set(Fixtures.all.map(\.name))
        for version in Fixtures.versions {
            for scenario in Fixtures.scenarios {
                XCTAssertTrue(names.contains("\(version)-\(scenario)"), "\(version)-\(scenario)")
            }
        }
    }

    func testEveryFixtureIsComplete() {
        for fixture in Fixtures.all {
            XCTAssertEqual(fixture.report.missing, [], fixture.name)
            XCTAssertTrue(fixture.report.isComplete, fixture.name)
        }
    }

    func testBadTrailingPad() {
        for fixture in Fixtures.scenario("trailing-pad") {
            let report = fixture.report
            assertBlock(report, fixture, api: "m", size: 16)
            XCTAssertEqual(report.leadingPad, PadStatus(count: 7, intact: true), fixture.name)
            assertTrailingPad(report, fixture, overwrittenAt: 0)
            XCTAssertEqual(report.dataBytes, Array(repeating: fixture.fill.clean, count: 16), fixture.name)
            XCTAssertFalse(report.dataElided, fixture.name)
            assertFatal(report, fixture, function: "_PyMem_DebugRawFree", message: "bad trailing pad byte")
            XCTAssertEqual(report.kind, .badTrailingPad, fixture.name)
            XCTAssertEqual(report.currentThreadFrames, [frame(1, "<module>", file: "<string>")], fixture.name)
        }
    }

    func testBadLeadingPad() {
        for fixture in Fixtures.scenario("leading-pad") {
            let report = fixture.report
            assertBlock(report, fixture, api: "m", size: 16)
            let forbidden = fixture.fill.forbidden
            let expected = (1...7).reversed().map { distance in
                distance == 3
                    ? PadByte(offset: -3, value: 0x00, bad: true)
                    : PadByte(offset: -distance, value: forbidden, bad: false)
            }
            XCTAssertEqual(
                report.leadingPad,
                PadStatus(count: 7, intact: false, expectedByte: forbidden, bytes: expected), fixture.name)
            XCTAssertEqual(report.leadingPad?.badOffsets, [-3], fixture.name)
            XCTAssertEqual(report.trailingPad, PadStatus(count: 8, intact: true), fixture.name)
            XCTAssertEqual(report.fillBytes, fixture.fill, fixture.name)
            assertFatal(report, fixture, function: "_PyMem_DebugRawFree", message: "bad leading pad byte")
            XCTAssertEqual(report.kind, .badLeadingPad, fixture.name)
            XCTAssertEqual(
                report.currentThreadFrames, [frame(16, "leading_pad"), frame(64, "<module>")], fixture.name)
        }
    }

    func testCrossDomainFreeIsBadID() {
        for fixture in Fixtures.scenario("bad-id") {
            let report = fixture.report
            assertBlock(report, fixture, api: "m", size: 16)
            assertIntactPads(report, fixture)
            XCTAssertEqual(report.dataBytes, Array(repeating: fixture.fill.clean, count: 16), fixture.name)
            assertFatal(
                report, fixture, function: "_PyMem_DebugRawFree",
                message: "bad ID: Allocated using API 'm', verified using API 'o'")
            XCTAssertEqual(report.kind, .badID(allocated: "m", verified: "o"), fixture.name)
            XCTAssertEqual(report.currentThreadFrames, [frame(20, "bad_id"), frame(64, "<module>")], fixture.name)
        }
    }

    func testRawFreeOfMemBlockIsBadID() {
        for fixture in Fixtures.scenario("api-misuse") {
            let report = fixture.report
            assertBlock(report, fixture, api: "m", size: 16)
            assertIntactPads(report, fixture)
            assertFatal(
                report, fixture, function: "_PyMem_DebugRawFree",
                message: "bad ID: Allocated using API 'm', verified using API 'r'")
            XCTAssertEqual(report.kind, .badID(allocated: "m", verified: "r"), fixture.name)
        }
    }

    func testOverwrittenAPIByteIsPrintedAsIs() {
        for fixture in Fixtures.scenario("api-id-byte") {
            let report = fixture.report
            assertBlock(report, fixture, api: "z", size: 16)
            assertIntactPads(report, fixture)
            XCTAssertEqual(report.kind, .badID(allocated: "z", verified: "m"), fixture.name)
            XCTAssertEqual(report.currentThreadFrames.first, frame(45, "api_id_byte"), fixture.name)
        }
    }

    func testZeroByteBlockHasNoDataLine() {
        for fixture in Fixtures.scenario("zero-bytes") {
            let report = fixture.report
            assertBlock(report, fixture, api: "m", size: 0)
            XCTAssertEqual(report.tailAddress, report.blockAddress, fixture.name)
            assertTrailingPad(report, fixture, overwrittenAt: 0)
            XCTAssertNil(report.dataBytes, fixture.name)
            XCTAssertEqual(report.kind, .badTrailingPad, fixture.name)
        }
    }

    func testWithoutGILHasNoBlockDump() {
        for fixture in Fixtures.scenario("without-gil-mem") + Fixtures.scenario("without-gil-obj") {
            let report = fixture.report
            XCTAssertFalse(report.hasBlockDump, fixture.name)
            XCTAssertNil(report.blockAddress, fixture.name)
            XCTAssertNil(report.leadingPad, fixture.name)
            XCTAssertNil(report.dataBytes, fixture.name)
            XCTAssertFalse(report.tracemallocHint, fixture.name)
            assertFatal(
                report, fixture, function: "_PyMem_DebugMalloc",
                message: "Python memory allocator called without holding the GIL")
            XCTAssertEqual(report.kind, .withoutGIL, fixture.name)
            XCTAssertEqual(report.currentThreadFrames, [frame(1, "<module>", file: "<string>")], fixture.name)
        }
    }

    func testTracemallocAllocationTraceback() {
        for fixture in Fixtures.scenario("tracemalloc") {
            let report = fixture.report
            assertBlock(report, fixture, api: "m", size: 64, hint: false)
            assertTrailingPad(report, fixture, overwrittenAt: 5)
            XCTAssertEqual(report.dataBytes, Array(0...7) + Array(0x38...0x3f), fixture.name)
            XCTAssertTrue(report.dataElided, fixture.name)
            XCTAssertEqual(report.allocationTraceback, [frame(27), frame(38), frame(64)], fixture.name)
            assertFatal(report, fixture, function: "_PyMem_DebugRawFree", message: "bad trailing pad byte")
            XCTAssertEqual(
                report.currentThreadFrames,
                [frame(35, "release"), frame(40, "tracemalloc_case"), frame(64, "<module>")], fixture.name)
        }
    }

    func testOtherThreadsAreNotTheCurrentThread() {
        for fixture in Fixtures.scenario("other-thread") {
            let report = fixture.report
            XCTAssertEqual(
                report.currentThreadFrames,
                [frame(20, "bad_id"), frame(62, "other_thread"), frame(64, "<module>")], fixture.name)
            XCTAssertEqual(report.kind, .badID(allocated: "m", verified: "o"), fixture.name)
            XCTAssertTrue(report.isComplete, fixture.name)
        }
    }

    // MARK: - Shared expectations

    /// The block dump header, size, serial line and tracemalloc hint.
    private func assertBlock(
        _ report: DebugHookReport, _ fixture: Fixture, api: String, size: Int,
        hint: Bool = true, line: UInt = #line
    ) {
        XCTAssertTrue(report.hasBlockDump, fixture.name, line: line)
        XCTAssertNotNil(report.blockAddress, fixture.name, line: line)
        XCTAssertEqual(report.apiID, api, fixture.name, line: line)
        XCTAssertEqual(report.bytesRequested, size, fixture.name, line: line)
        XCTAssertEqual(report.tailAddress, report.blockAddress.map { $0 + UInt64(size) }, fixture.name, line: line)
        XCTAssertEqual(report.serialNumber != nil, fixture.hasSerialNumber, fixture.name, line: line)
        XCTAssertEqual(report.tracemallocHint, hint, fixture.name, line: line)
        if hint { XCTAssertEqual(report.allocationTraceback, [], fixture.name, line: line) }
    }

    private func assertIntactPads(_ report: DebugHookReport, _ fixture: Fixture, line: UInt = #line) {
        XCTAssertEqual(report.leadingPad, PadStatus(count: 7, intact: true), fixture.name, line: line)
        XCTAssertEqual(report.trailingPad, PadStatus(count: 8, intact: true), fixture.name, line: line)
        XCTAssertEqual(report.leadingPad?.badOffsets, [], fixture.name, line: line)
        XCTAssertNil(report.fillBytes, fixture.name, line: line)
    }

    /// A trailing pad with "x" (0x78) written at tail+`offset` and FORBIDDENBYTE elsewhere.
    private func assertTrailingPad(
        _ report: DebugHookReport, _ fixture: Fixture, overwrittenAt offset: Int,
        line: UInt = #line
    ) {
        let forbidden = fixture.fill.forbidden
        let expected = (0..<8).map {
            $0 == offset
                ? PadByte(offset: $0, value: 0x78, bad: true)
                : PadByte(offset: $0, value: forbidden, bad: false)
        }
        XCTAssertEqual(
            report.trailingPad, PadStatus(count: 8, intact: false, expectedByte: forbidden, bytes: expected),
            fixture.name, line: line)
        XCTAssertEqual(report.trailingPad?.badOffsets, [offset], fixture.name, line: line)
        XCTAssertEqual(report.fillBytes, fixture.fill, fixture.name, line: line)
    }

    /// The fatal line and what follows it, per version.
    private func assertFatal(
        _ report: DebugHookReport, _ fixture: Fixture, function: String, message: String,
        line: UInt = #line
    ) {
        XCTAssertEqual(report.fatalFunction, fixture.hasFunctionPrefix ? function : nil, fixture.name, line: line)
        XCTAssertEqual(report.fatalMessage, message, fixture.name, line: line)
        XCTAssertEqual(report.runtimeState, fixture.hasRuntimeState ? "initialized" : nil, fixture.name, line: line)
        XCTAssertEqual(report.extensionModules, fixture.listsTestCapi ? ["_testcapi"] : [], fixture.name, line: line)
    }
}
