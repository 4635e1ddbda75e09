import ClauseCatalogue
import DebugReport
import TestSupport
import Vocabulary
import XCTest

/// The report texts the checks, the oracle and the fuzzers expect (ReportTexts) are the ones
/// the catalogue's expected reports state, for every version range that states one.
final class ReportTextsTests: XCTestCase {
    func reports(_ id: String) throws -> [ExpectedReport] {
        let catalogue = try Catalogue.load(from: PackageFolder.path("Conformance"))
        return try XCTUnwrap(catalogue.clause(id)?.expectedReport, "\(id) has no expected report")
    }

    func testMessagesAreTheCataloguesOwn() throws {
        let messages = [
            "debug.detect.underflow": ReportTexts.badLeadingPad, "debug.detect.overflow": ReportTexts.badTrailingPad,
            "debug.detect.mem-without-gil": ReportTexts.withoutGIL,
            "debug.detect.obj-without-gil": ReportTexts.withoutGIL,
        ]
        var compared = 0
        for (id, message) in messages {
            for report in try reports(id) {
                guard let stated = report.fields["message"] else { continue }
                XCTAssertEqual(stated, .string(message), "\(id) \(report.versions)")
                compared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(compared, messages.count)
    }

    /// The function a report names, by version: none before 3.9, the hook's own from 3.9.
    func testFunctionsAreTheCataloguesOwn() throws {
        let functions = ["debug.detect.cross-domain-free": "_PyMem_DebugRawFree"]
        for (id, function) in functions {
            for report in try reports(id) {
                let version = try XCTUnwrap(report.versions.since.flatMap(PythonVersion.init(parsing:)))
                let expected: ReportValue =
                    ReportTexts.function(function, version: version).map { .string($0) } ?? .null
                XCTAssertEqual(report.fields["function"], expected, "\(id) from \(version)")
            }
        }
    }
}
