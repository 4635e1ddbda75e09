import Foundation
import XCTest

@testable import DebugReport
@testable import Vocabulary

final class ModelTests: XCTestCase {
    func testKindFromMessage() {
        XCTAssertEqual(
            FatalErrorKind(message: "bad ID: Allocated using API 'm', verified using API 'o'"),
            .badID(allocated: "m", verified: "o"))
        XCTAssertEqual(
            FatalErrorKind(message: "bad ID: Allocated using API ''', verified using API 'r'"),
            .badID(allocated: "'", verified: "r"))
        XCTAssertEqual(FatalErrorKind(message: "bad leading pad byte"), .badLeadingPad)
        XCTAssertEqual(FatalErrorKind(message: "bad trailing pad byte"), .badTrailingPad)
        XCTAssertEqual(FatalErrorKind(message: "Python memory allocator called without holding the GIL"), .withoutGIL)
        XCTAssertEqual(FatalErrorKind(message: "bad ID: truncated"), .other("bad ID: truncated"))
        XCTAssertEqual(FatalErrorKind(message: ""), .other(""))
    }

    func testWhichKindsCarryABlockDump() {
        XCTAssertEqual(FatalErrorKind.badID(allocated: "m", verified: "r").hasBlockDump, true)
        XCTAssertEqual(FatalErrorKind.badLeadingPad.hasBlockDump, true)
        XCTAssertEqual(FatalErrorKind.badTrailingPad.hasBlockDump, true)
        XCTAssertEqual(FatalErrorKind.withoutGIL.hasBlockDump, false)
        XCTAssertNil(FatalErrorKind.other("x").hasBlockDump)
    }

    func testBadOffsets() {
        let pad = PadStatus(
            count: 8, intact: false, expectedByte: 0xfd,
            bytes: [
                PadByte(offset: 0, value: 0x78, bad: true), PadByte(offset: 1, value: 0xfd, bad: false),
                PadByte(offset: 2, value: 0x00, bad: true),
            ])
        XCTAssertEqual(pad.badOffsets, [0, 2])
        XCTAssertEqual(PadStatus(count: 7, intact: true).badOffsets, [])
    }

    func testFillBytesByForbiddenByte() {
        XCTAssertEqual(DebugFillBytes.matching(forbidden: 0xfb), .legacy)
        XCTAssertEqual(DebugFillBytes.matching(forbidden: 0xfd), .current)
        XCTAssertNil(DebugFillBytes.matching(forbidden: 0x00))
        XCTAssertEqual(DebugFillBytes.current, DebugFillBytes(forbidden: 0xfd, clean: 0xcd, dead: 0xdd))
        XCTAssertEqual(DebugFillBytes.legacy, DebugFillBytes(forbidden: 0xfb, clean: 0xcb, dead: 0xdb))
    }

    func testMissingPartsAreInReportOrder() {
        XCTAssertEqual(ReportPart.allCases.sorted(), ReportPart.allCases)
        let report = DebugReportParser.parse("")
        XCTAssertEqual(report.missingParts, [.fatalErrorLine, .currentThreadTraceback])
        XCTAssertEqual(report.missing, report.missingParts.map(\.rawValue))
    }

    func testDefaultReportIsEmptyAndComplete() {
        let report = DebugHookReport()
        XCTAssertTrue(report.isComplete)
        XCTAssertFalse(report.hasBlockDump)
        XCTAssertNil(report.kind)
    }

    func testReportsSurviveJSONRoundTrip() throws {
        for fixture in Fixtures.all {
            let report = fixture.report
            let data = try JSONEncoder().encode(report)
            XCTAssertEqual(try JSONDecoder().decode(DebugHookReport.self, from: data), report, fixture.name)
        }
        let kinds: [FatalErrorKind] = [.badID(allocated: "m", verified: "o"), .withoutGIL, .other("x")]
        let data = try JSONEncoder().encode(kinds)
        XCTAssertEqual(try JSONDecoder().decode([FatalErrorKind].self, from: data), kinds)
    }
}
