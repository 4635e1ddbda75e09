import DebugReport
import Foundation
import XCTest

/// Reports inside other stderr output.
final class NoiseTests: XCTestCase {
    private let before = "[pymemcheck] running scenario overflow in child 4242\nwarning: something unrelated\n"
    private let after = "bash: line 1: 4242 Aborted                 (core dumped) python3 -c ...\n"

    func testLinesAroundTheReportAreIgnored() {
        for fixture in Fixtures.all {
            XCTAssertEqual(DebugReportParser.parse(before + fixture.text + after), fixture.report, fixture.name)
        }
    }

    func testUnterminatedNoiseAfterTheReportIsNotACut() {
        for fixture in Fixtures.all {
            let report = DebugReportParser.parse(fixture.text + "child exited with status 134")
            XCTAssertEqual(report, fixture.report, fixture.name)
        }
    }

    /// Unflushed stdout can share a line with the first line of the report.
    func testReportMayStartMidLine() {
        for fixture in Fixtures.all {
            XCTAssertEqual(DebugReportParser.parse("progress: 97%" + fixture.text), fixture.report, fixture.name)
        }
    }

    func testCRLFLineEndings() {
        for fixture in Fixtures.all {
            let crlf = fixture.text.replacingOccurrences(of: "\n", with: "\r\n")
            XCTAssertEqual(DebugReportParser.parse(crlf), fixture.report, fixture.name)
        }
    }

    /// Frames after the report's final blank line are not the current thread's.
    func testTracebackLikeNoiseAfterTheReportIsIgnored() throws {
        let fixture = try XCTUnwrap(Fixtures.named("3.6.15-bad-id"))
        let noisy = fixture.text + "\n  File \"elsewhere.py\", line 9 in other\n"
        XCTAssertEqual(DebugReportParser.parse(noisy).currentThreadFrames, fixture.report.currentThreadFrames)
    }

    func testOnlyTheFirstOfTwoReportsIsRead() throws {
        let first = try XCTUnwrap(Fixtures.named("3.13.0-without-gil-mem"))
        let second = try XCTUnwrap(Fixtures.named("3.8.18-leading-pad"))
        XCTAssertEqual(DebugReportParser.parse(first.text + second.text), first.report)
        XCTAssertEqual(DebugReportParser.parse(second.text + first.text), second.report)
    }

    func testTextWithoutAReport() {
        let text = "Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: no\n"
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report, DebugHookReport(missing: ["fatal error line", "current thread traceback"]))
    }
}
