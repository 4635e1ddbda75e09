import Results
import XCTest

@testable import Reports

/// The certificate's text says what it leaves out of a part's evidence, and where all of it is.
final class CertificateTextTests: XCTestCase {
    func testEvidenceIsCutOnlyWithACount() {
        let lines = (1...47).map { "line \($0)" }
        let item = CertifyItem(
            target: "3.13.0", mode: "debug", part: "fuzz-sequences", status: .fail, evidence: lines,
            detectedBy: [])
        let text = Certificate(plugin: "p.so", clauses: [], items: [item], notApplicable: []).text()
        let shown = lines.filter { text.contains("    \($0)\n") }.count
        XCTAssertEqual(shown, Certificate.evidenceLimit, text)
        XCTAssertTrue(text.contains("    … \(47 - shown) more lines (--format json has them all)\n"), text)
    }
}
