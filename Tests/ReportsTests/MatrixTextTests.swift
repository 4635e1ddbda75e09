import Results
import XCTest

@testable import Reports

/// What a person reads of a large matrix: each deviation and failure once, with where it was
/// seen, none left out; the reasons a check did not run, counted; nothing cut without saying so.
final class MatrixTextTests: XCTestCase {
    func testEveryDeviationIsListedOnceWithItsModes() throws {
        var results: [ClauseResult] = []
        for clause in 0..<54 {
            for mode in ["debug", "pymalloc_debug", "hooks"] {
                results.append(
                    ClauseResult(
                        clause: "clause-\(clause)", target: "3.12.1", mode: mode, status: .expectedDeviation,
                        evidence: ["deviation \(clause): " + String(repeating: "x", count: 500)]))
            }
        }
        let columns = ["debug", "pymalloc_debug", "hooks"].map { MatrixColumn(target: "3.12.1", mode: $0) }
        let text = try ReportRenderer.render(
            Matrix(rows: [], columns: columns, results: results, seconds: 0), as: .text)
        for clause in 0..<54 {
            XCTAssertEqual(occurrences(of: "deviation \(clause): ", in: text), 1, "deviation \(clause)")
        }
        XCTAssertEqual(occurrences(of: "where:    3.12.1: debug, pymalloc_debug, hooks\n", in: text), 54, text)
        XCTAssertTrue(text.contains("Expected deviations (recorded in the catalogue): 162, of 54 clauses"), text)
    }

    func testNotApplicableReasonsAreCountedPerTarget() throws {
        let text = try ReportRenderer.render(WideMatrix.matrix, as: .text)
        XCTAssertTrue(text.contains("  3.12.1: 196 not applicable\n"), text)
        XCTAssertTrue(text.contains("\n    76 × mimalloc arrived in CPython 3.13; 3.12.1 predates it\n"), text)
        for mode in ["default", "malloc", "pymalloc", "mimalloc"] {
            XCTAssertTrue(text.contains("\n    30 × needs the debug hooks; mode \(mode) on 3.12.1 has none\n"), text)
        }
    }

    /// The only cut is the one that says so; --verbose cuts nothing and lists every result.
    func testEvidenceIsCutOnlyWithACount() throws {
        let text = try ReportRenderer.render(SampleDocuments.matrix, as: .text)
        XCTAssertTrue(text.contains("line 6\n              … 5 more lines (--verbose or --format json"), text)
        XCTAssertFalse(text.contains("line 7"), text)
        let verbose = try ReportRenderer.render(SampleDocuments.matrix, as: .text, verbose: true)
        XCTAssertFalse(verbose.contains("more line"), verbose)
        let labels = ResultStatus.allCases.map {
            "    " + TextReport.label($0).padding(toLength: TextReport.labelWidth, withPad: " ", startingAt: 0)
        }
        let resultLines = verbose.split(separator: "\n").filter { line in labels.contains { line.hasPrefix($0) } }
        XCTAssertEqual(resultLines.count, SampleDocuments.results.count, verbose)
        XCTAssertEqual(occurrences(of: "line 11", in: verbose), 2, "in its entry and in its mode's list")
    }

    func testTargetsSeenInTheSameModesShareALine() {
        let columns = [
            MatrixColumn(target: "3.8.18", mode: "debug"), MatrixColumn(target: "3.8.18", mode: "hooks"),
            MatrixColumn(target: "3.13.0", mode: "debug"), MatrixColumn(target: "3.9.18", mode: "debug"),
            MatrixColumn(target: "3.9.18", mode: "hooks"),
        ]
        let group = ResultGroup(clause: "c", status: .fail, evidence: [], columns: columns)
        XCTAssertEqual(group.coverage, ["3.8.18, 3.9.18: debug, hooks", "3.13.0: debug"])
    }
}

/// How often `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}
