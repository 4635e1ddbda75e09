import DebugReport
import XCTest

/// Reports cut short, as when the aborting process or a pipe drops the tail.
final class TruncationTests: XCTestCase {
    /// Every cut inside a line leaves an unterminated report line or drops a
    /// required part, so something must be reported missing. Two versions are
    /// cut at every character; the rest near both ends and in the middle of each line.
    func testEveryMidLineCutIsIncomplete() {
        for fixture in Fixtures.all {
            let exhaustive = ["3.6.15", "3.13.0"].contains(fixture.version)
            for end in fixture.midLineCuts(exhaustive: exhaustive) {
                let report = DebugReportParser.parse(String(fixture.text.prefix(end)))
                XCTAssertFalse(report.missing.isEmpty, "\(fixture.name) cut at \(end)")
            }
        }
    }

    /// A cut in the middle or at the newline of any line names that line's part.
    func testMidLineCutNamesThePartOfThatLine() {
        for fixture in Fixtures.all {
            var offset = 0
            for (line, part) in fixture.linesWithParts() {
                defer { offset += line.count + 1 }
                guard let part else { continue }
                for inside in Set([(line.count + 1) / 2, line.count]) {
                    let report = DebugReportParser.parse(String(fixture.text.prefix(offset + inside)))
                    let context = "\(fixture.name) \(line.prefix(inside)): \(report.missing)"
                    XCTAssertTrue(report.missing.contains(part), context)
                }
            }
        }
    }

    /// Cutting at a line boundary is only noticeable before the first frame of
    /// the current thread: later lines (more frames, extension modules) are optional.
    func testEveryLineBoundaryCutBeforeTheThreadDumpIsIncomplete() {
        for fixture in Fixtures.all {
            let lines = fixture.text.split(separator: "\n", omittingEmptySubsequences: false)
            guard let header = lines.firstIndex(where: { $0.hasPrefix("Current thread") }) else {
                XCTFail("\(fixture.name) has no thread dump")
                continue
            }
            for count in 0...header + 1 {
                let text = lines[..<count].map { $0 + "\n" }.joined()
                XCTAssertFalse(DebugReportParser.parse(text).missing.isEmpty, "\(fixture.name) first \(count) lines")
            }
        }
    }

    func testCutAfterHeaderMissesEverythingAfterIt() {
        for fixture in Fixtures.all where fixture.report.hasBlockDump {
            let report = DebugReportParser.parse(fixture.text.keepingLines(through: "Debug memory block"))
            XCTAssertNotNil(report.blockAddress, fixture.name)
            XCTAssertEqual(report.missing.first, "bytes requested", fixture.name)
            XCTAssertTrue(report.missing.contains("fatal error line"), fixture.name)
        }
    }

    func testCutInsidePadListingNamesThatPad() {
        for fixture in Fixtures.scenario("trailing-pad") + Fixtures.scenario("tracemalloc") {
            let report = DebugReportParser.parse(fixture.text.keepingLines(through: "at tail+3:"))
            XCTAssertEqual(report.trailingPad?.bytes.count, 4, fixture.name)
            XCTAssertEqual(report.missing.first, "trailing pad", fixture.name)
        }
        for fixture in Fixtures.scenario("leading-pad") {
            let report = DebugReportParser.parse(fixture.text.keepingLines(through: "at p-5:"))
            XCTAssertEqual(report.missing.first, "leading pad", fixture.name)
            XCTAssertTrue(report.missing.contains("trailing pad"), fixture.name)
        }
    }

    func testCutInsideDataLineNamesData() {
        for fixture in Fixtures.all where fixture.report.dataBytes != nil {
            let text = fixture.text.keepingLines(through: "Data at p:")
            for dropped in [1, 3, 10] {
                let report = DebugReportParser.parse(String(text.dropLast(dropped)))
                XCTAssertEqual(report.missing.first, "data", "\(fixture.name) minus \(dropped)")
            }
        }
    }

    func testCutInsideAllocationTracebackNamesIt() {
        for fixture in Fixtures.scenario("tracemalloc") {
            let afterHeader = fixture.text.keepingLines(through: "Memory block allocated at")
            XCTAssertEqual(DebugReportParser.parse(afterHeader).missing.first, "allocation traceback", fixture.name)
            let midFrame = String(fixture.text.keepingLines(through: "line 38\n").dropLast(2))
            XCTAssertEqual(DebugReportParser.parse(midFrame).missing.first, "allocation traceback", fixture.name)
        }
    }

    func testCutBeforeFatalLineNamesIt() {
        for fixture in Fixtures.all {
            let text = fixture.text.keepingLines(before: "Fatal Python error")
            let report = DebugReportParser.parse(text)
            XCTAssertEqual(report.missing, ["fatal error line", "current thread traceback"], fixture.name)
            XCTAssertNil(report.kind, fixture.name)
        }
    }

    func testCutInsideFatalLineNamesIt() {
        for fixture in Fixtures.all {
            let text = String(fixture.text.keepingLines(through: "Fatal Python error").dropLast(4))
            XCTAssertEqual(
                DebugReportParser.parse(text).missing.first(where: { $0 != "data" }),
                "fatal error line", fixture.name)
        }
    }

    /// A 3.9+ fatal line (with its function prefix) promises a runtime state line.
    func testCutAfterFatalLineNamesWhatFollows() {
        for fixture in Fixtures.all {
            let report = DebugReportParser.parse(fixture.text.keepingLines(through: "Fatal Python error"))
            let expected =
                fixture.hasFunctionPrefix
                ? ["runtime state", "current thread traceback"]
                : ["current thread traceback"]
            XCTAssertEqual(report.missing, expected, fixture.name)
            XCTAssertNotNil(report.kind, fixture.name)
        }
    }

    func testCutAfterThreadHeaderNamesThreadTraceback() {
        for fixture in Fixtures.all {
            let report = DebugReportParser.parse(fixture.text.keepingLines(through: "Current thread"))
            XCTAssertEqual(report.missing, ["current thread traceback"], fixture.name)
            XCTAssertEqual(report.currentThreadFrames, [], fixture.name)
        }
    }

    /// CPython ends every line with a newline, so a report without its last one was cut.
    func testMissingFinalNewlineNamesTheLastPart() {
        for fixture in Fixtures.all {
            let report = DebugReportParser.parse(String(fixture.text.dropLast()))
            let expected = fixture.listsTestCapi ? "extension modules" : "current thread traceback"
            XCTAssertEqual(report.missing, [expected], fixture.name)
        }
    }

    func testEmptyAndWhitespaceOnlyInput() {
        for text in ["", "\n", "\n\n   \n", "\r\n"] {
            let report = DebugReportParser.parse(text)
            XCTAssertEqual(report.missing, ["fatal error line", "current thread traceback"])
            XCTAssertFalse(report.hasBlockDump)
            XCTAssertNil(report.kind)
        }
    }
}

extension Fixture {
    /// Each line with the report part it belongs to (nil for blank lines), as
    /// read off the captured text independently of the parser.
    func linesWithParts() -> [(Substring, String?)] {
        var frameOwner = "none"
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            if line.contains("Memory block allocated at") { frameOwner = "allocation traceback" }
            if line.contains("hread 0x") { frameOwner = "current thread traceback" }
            let owners = [
                ("Debug memory block", "block header"), ("bytes originally requested", "bytes requested"),
                ("at p-", "leading pad"), ("memory is corrupted", "leading pad"), ("may be bogus", "leading pad"),
                ("at tail", "trailing pad"), ("The block was made", "serial number"), ("Data at p:", "data"),
                ("Enable tracemalloc", "allocation traceback"), ("Memory block allocated", "allocation traceback"),
                ("Fatal Python error", "fatal error line"), ("Python runtime state", "runtime state"),
                ("hread 0x", "current thread traceback"), ("Extension modules", "extension modules"),
                ("File \"", frameOwner),
            ]
            return (line, owners.first { line.contains($0.0) }?.1)
        }
    }

    /// Character counts that end the text inside a line (never right after a newline).
    func midLineCuts(exhaustive: Bool) -> [Int] {
        var cuts: [Int] = []
        var lineStart = 0
        for (offset, character) in text.enumerated() where character == "\n" {
            let length = offset - lineStart
            if length > 0 {
                let inside = exhaustive ? Array(1...length) : Array(Set([1, (length + 1) / 2, length]))
                cuts += inside.map { lineStart + $0 }
            }
            lineStart = offset + 1
        }
        return cuts
    }
}

extension String {
    /// The lines up to and including the first one containing `marker`.
    func keepingLines(through marker: String) -> String {
        var kept = ""
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            kept += line + "\n"
            if line.contains(marker) || kept.hasSuffix(marker) { break }
        }
        return kept
    }

    /// The lines before the first one containing `marker`.
    func keepingLines(before marker: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.contains(marker) }
            .map { $0 + "\n" }
            .joined()
    }
}
