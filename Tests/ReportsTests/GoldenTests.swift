import Results
import XCTest

@testable import Reports

/// What a person reads, pinned: each text and Markdown rendering of the sample documents is
/// compared with its file under Fixtures/ (PYMEMCHECK_UPDATE_GOLDEN=1 rewrites them).
final class GoldenTests: XCTestCase {
    func testMatrixText() throws {
        try assertGolden(ReportRenderer.render(SampleDocuments.matrix, as: .text), "matrix.txt")
    }

    func testMatrixVerboseText() throws {
        try assertGolden(ReportRenderer.render(SampleDocuments.matrix, as: .text, verbose: true), "matrix-verbose.txt")
    }

    func testMatrixMarkdown() throws {
        try assertGolden(ReportRenderer.render(SampleDocuments.matrix, as: .markdown), "matrix.md")
    }

    func testCertificateText() throws {
        try assertGolden(SampleDocuments.certificate.text(), "certificate.txt")
    }

    func testProbeText() throws {
        try assertGolden(SampleDocuments.probe.text(), "probe.txt")
    }

    func testTargetsText() throws {
        try assertGolden(SampleDocuments.targets.text(), "targets.txt")
    }

    func testFindingText() throws {
        try assertGolden(SampleDocuments.findings.text(), "finding.txt")
    }

    func testReplayText() throws {
        try assertGolden(SampleDocuments.replay.text(), "replay.txt")
    }

    func testBenchText() throws {
        try assertGolden(SampleDocuments.bench.text() + SampleDocuments.idleBench.text(), "bench.txt")
    }
}

/// The HTML page: pinned like the text, and nothing in the evidence becomes markup (its layout
/// and what it shows as text: HTMLLayoutTests).
final class HTMLReportTests: XCTestCase {
    func testMatrixHTML() throws {
        try assertGolden(ReportRenderer.render(SampleDocuments.matrix, as: .html), "matrix.html")
    }

    func testEvidenceIsNeverMarkup() throws {
        let evidence = "<script>alert('x')</script> \" onmouseover=\"x\u{1}"
        let result = ClauseResult(clause: "c<b>", target: "t&", mode: "m", status: .fail, evidence: [evidence])
        let matrix = Matrix(
            rows: [MatrixRow(clause: "c<b>", section: "s<i>", statement: "\"quoted\"")],
            columns: [MatrixColumn(target: "t&", mode: "m")], results: [result], seconds: 0)
        let html = try ReportRenderer.render(matrix, as: .html)
        XCTAssertFalse(html.contains("<script>"), html)
        XCTAssertFalse(html.contains("c<b>"), html)
        XCTAssertFalse(html.contains("\" onmouseover"), html)
        XCTAssertFalse(html.contains("\u{1}"), html)
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"), html)
    }
}
