import Results
import XCTest

@testable import Reports

/// The JUnit XML is well-formed and follows Schemas/junit.xsd whatever the evidence holds.
final class JUnitTests: XCTestCase {
    func testSampleMatrixValidates() throws {
        let xml = try ReportRenderer.render(SampleDocuments.matrix, as: .junit)
        assertValidJUnit(xml, "sample matrix")
        XCTAssertTrue(xml.contains("time=\"0.000030\""), "times are fixed decimals")
        XCTAssertFalse(xml.contains("e-05"), xml)
        let suite = "<testsuite name=\"3.13.0 debug\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\""
        XCTAssertTrue(xml.contains(suite), xml)
    }

    /// A child's stderr as evidence: every control character, `]]>`, quotes and apostrophes,
    /// bytes that are not UTF-8, and 100 kB of it, in names as well as in text.
    func testHostileEvidenceValidates() throws {
        let scalars = (0..<0x20).compactMap(Unicode.Scalar.init) + ["\u{7F}", "\u{85}"]
        let controls = String(String.UnicodeScalarView(scalars))
        let bytes: [UInt8] = [0x41, 0xFF, 0xFE, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x42] // a lone surrogate's encoding too
        let invalidUTF8 = String(decoding: bytes, as: UTF8.self)
        let hostile = "\(controls) ]]> <![CDATA[ \"quoted\" 'single' & &amp; \(invalidUTF8)"
        let stderr = String(repeating: "Fatal Python error: \u{1B}[31mbad\u{1B}[0m ]]> \u{0}\r\n", count: 2_600)
        XCTAssertGreaterThan(stderr.utf8.count, 100_000)
        let column = MatrixColumn(target: "3.13\(hostile)", mode: "debug\u{1}")
        let results = [
            ClauseResult(
                clause: "fail\(hostile)", target: column.target, mode: column.mode, status: .fail,
                evidence: [hostile, stderr]),
            ClauseResult(
                clause: "skip", target: column.target, mode: column.mode, status: .notApplicable,
                evidence: [hostile]),
            ClauseResult(
                clause: "deviation", target: column.target, mode: column.mode, status: .expectedDeviation,
                evidence: [hostile]),
        ]
        let matrix = Matrix(rows: [], columns: [column], results: results, seconds: 3e-5)
        let xml = try ReportRenderer.render(matrix, as: .junit)
        assertValidJUnit(xml, "hostile evidence")
        XCTAssertTrue(xml.contains("\\u{1B}"), "a control character is shown, not dropped")
        XCTAssertTrue(xml.contains("\u{FFFD}"), "bytes that are not UTF-8 are shown as U+FFFD")
    }

    func testAnEmptyMatrixValidates() throws {
        assertValidJUnit(
            try ReportRenderer.render(Matrix(rows: [], columns: [], results: [], seconds: 0), as: .junit),
            "empty matrix")
    }
}
