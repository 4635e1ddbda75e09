import Oracle
import Reports
import XCTest

/// What a person reads, pinned: each text and Markdown rendering of the sample documents is
/// compared with its file under Fixtures/ (PYMEMCHECK_UPDATE_GOLDEN=1 rewrites them).
final class GoldenTests: XCTestCase {
    func testMatrixText() throws {
        try assertGolden(ReportRenderer.render(SampleDocuments.matrix, as: .text), "matrix.txt")
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

    /// The oracle's own one-line form of a finding (in certify's evidence, the fuzzers' output)
    /// is the report's.
    func testOracleFindingLineIsTheReportLine() {
        for entry in SampleDocuments.findings.findings {
            let finding = Finding(opIndex: entry.opIndex, op: entry.op, invariant: Invariant(rawValue: entry.invariant)!,
                                  evidence: entry.evidence, signal: entry.signal)
            XCTAssertEqual(finding.description, entry.text())
        }
    }
}
