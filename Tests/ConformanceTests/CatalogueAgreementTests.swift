import ClauseCatalogue
import Executor
import Foundation
import XCTest

/// The catalogue, the conformance tests and the check tables must agree: every clause has a
/// test and a check, every conformance test names a clause, ids are unique and well-formed.
final class CatalogueAgreementTests: XCTestCase {
    var catalogue: Catalogue { get throws { try ConformanceRun.catalogue.get() } }

    /// "Class/test_name" for every `func test_…() … conform("id")` in this folder, with the id.
    static let declaredTests: [(test: String, clause: String)] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let classPattern = try! NSRegularExpression(pattern: #"final class (\w+): XCTestCase"#)
        let testPattern = try! NSRegularExpression(
            pattern: #"func (test_\w+)\(\) throws \{\s*try conform\("([^"]+)"\)\s*\}"#)
        var found: [(String, String)] = []
        for file in files.sorted() where file.hasSuffix(".swift") {
            let text = (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""
            let range = NSRange(text.startIndex..., in: text)
            guard let match = classPattern.firstMatch(in: text, range: range),
                let name = Range(match.range(at: 1), in: text)
            else { continue }
            for test in testPattern.matches(in: text, range: range) {
                found.append(
                    (
                        "\(text[name])/\(text[Range(test.range(at: 1), in: text)!])",
                        String(text[Range(test.range(at: 2), in: text)!])
                    ))
            }
        }
        return found
    }()

    func testIdsAreUniqueAndWellFormed() throws {
        let ids = try catalogue.clauses.map(\.id)
        XCTAssertEqual(
            ids.count, Set(ids).count,
            "duplicate ids: \(Dictionary(grouping: ids) { $0 }.filter { $1.count > 1 }.keys.sorted())")
        for id in ids {
            XCTAssertNotNil(
                id.range(of: #"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$"#, options: .regularExpression), "malformed id \(id)")
        }
        XCTAssertGreaterThanOrEqual(ids.count, 60)
    }

    func testEveryClauseHasItsTest() throws {
        let declared = Set(Self.declaredTests.map(\.test))
        for clause in try catalogue.clauses {
            XCTAssertFalse(clause.tests.isEmpty, "\(clause.id) names no test")
            for test in clause.tests {
                XCTAssertTrue(declared.contains(test), "\(clause.id) names \(test), which does not exist")
            }
        }
    }

    func testEveryConformanceTestNamesItsClause() throws {
        let catalogue = try catalogue
        for (test, id) in Self.declaredTests {
            let clause = catalogue.clause(id)
            XCTAssertNotNil(clause, "\(test) checks \(id), which is not in the catalogue")
            XCTAssertTrue(
                clause?.tests.contains(test) ?? true, "\(test) checks \(id), but the clause does not list it")
        }
    }

    func testEveryClauseHasACheckAndEveryCheckAClause() throws {
        let ids = Set(try catalogue.clauses.map(\.id))
        XCTAssertEqual(ids.subtracting(ClauseChecks.ids).sorted(), [], "clauses without a check")
        XCTAssertEqual(ClauseChecks.ids.subtracting(ids).sorted(), [], "checks without a clause")
    }

    /// Every clause can be proven able to fail: it has a negative control (NegativeControlTests
    /// shows each one failing), and no control names a clause that does not exist.
    func testEveryClauseHasANegativeControl() throws {
        let ids = Set(try catalogue.clauses.map(\.id))
        XCTAssertEqual(ids.subtracting(ClauseControls.ids).sorted(), [], "clauses without a negative control")
        XCTAssertEqual(ClauseControls.ids.subtracting(ids).sorted(), [], "controls without a clause")
        for id in ClauseControls.ids {
            XCTAssertFalse(ClauseControls.control(for: id)!.violation.isEmpty, "\(id): control says nothing")
        }
    }

    /// A deviation states its alternative expectation exactly, as the check observes it.
    func testEveryDeviationIsAnExactObservation() throws {
        for clause in try catalogue.clauses {
            for deviation in clause.deviations ?? [] {
                XCTAssertFalse(
                    deviation.observation.trimmingCharacters(in: .whitespaces).isEmpty,
                    "\(clause.id): a deviation without its observation")
            }
        }
    }

    func testClausesAreComplete() throws {
        for clause in try catalogue.clauses {
            XCTAssertFalse(clause.sources.isEmpty, "\(clause.id) cites no source")
            XCTAssertNotNil(PythonVersionBound.parse(clause.since), "\(clause.id): since '\(clause.since)'")
            if clause.kind == .expectedFatal {
                let reports = clause.expectedReport ?? []
                XCTAssertFalse(reports.isEmpty, "\(clause.id) is expected-fatal with no expected report")
                for report in reports {
                    XCTAssertEqual(
                        Set(report.fields.keys).subtracting(ExpectedReport.knownFields).sorted(), [],
                        "\(clause.id): unknown report fields")
                }
            }
            for source in clause.sources where source.repository != nil {
                XCTAssertEqual(
                    source.repository, "python/cpython", "\(clause.id) cites \(source.file) in an unknown repository")
            }
            for source in clause.sources where source.repository == nil {
                XCTAssertTrue(
                    FileManager.default.fileExists(atPath: "\(Self.seeds)/\(source.file)")
                        || !FileManager.default.fileExists(atPath: Self.seeds),
                    "\(clause.id) cites \(source.file), which is not among the documents")
            }
        }
    }

    /// The documents the catalogue cites, when they are beside the package.
    static let seeds = URL(fileURLWithPath: ConformanceRun.catalogueFolder).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/seeds").path
}

/// A version bound as the catalogue writes it.
enum PythonVersionBound {
    static func parse(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".").map { Int($0) }
        return parts.count >= 2 && parts.allSatisfy { $0 != nil } ? parts.compactMap { $0 } : nil
    }
}
