import ClauseCatalogue
import Foundation
import TestSupport
import XCTest

/// The catalogue is well-formed: ids unique and stable in shape, every clause complete, every
/// deviation an exact observation, every document it cites among the documents.
final class CatalogueTests: XCTestCase {
    var catalogue: Catalogue { get throws { try Catalogue.load(from: PackageFolder.path("Conformance")) } }

    func testIdsAreUniqueAndWellFormed() throws {
        let ids = try catalogue.clauses.map(\.id)
        XCTAssertEqual(
            ids.count, Set(ids).count,
            "duplicate ids: \(Dictionary(grouping: ids) { $0 }.filter { $1.count > 1 }.keys.sorted())")
        for id in ids {
            XCTAssertNotNil(
                id.range(of: #"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$"#, options: .regularExpression), "malformed id \(id)")
        }
        XCTAssertGreaterThanOrEqual(ids.count, 100)
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
        }
    }

    /// Every document a clause cites is among the documents (../shared/seeds beside the
    /// package): skipped, saying so, where they are not (an ordinary clone); a failure under
    /// PYMEMCHECK_REQUIRE_TARGETS=1 (CI has them).
    func testEveryCitedDocumentIsAmongTheDocuments() throws {
        guard FileManager.default.fileExists(atPath: PackageFolder.seeds) else {
            throw Requirement.missing(
                "the documents are not beside the package (../shared/seeds): the sources the catalogue cites "
                    + "are not checked against them")
        }
        var cited = 0
        for clause in try catalogue.clauses {
            for source in clause.sources where source.repository == nil {
                cited += 1
                XCTAssertTrue(
                    FileManager.default.fileExists(atPath: "\(PackageFolder.seeds)/\(source.file)"),
                    "\(clause.id) cites \(source.file), which is not among the documents")
            }
        }
        XCTAssertGreaterThan(cited, 100)
    }

    /// certify's clauses are the catalogue's `subject: contract`: every allocation-function and
    /// debug-hook clause but the three it cannot ask of a plugin, and none of CPython's set-up.
    func testContractClausesAreTheAllocatorsPromises() throws {
        let contract = Set(try catalogue.clauses.filter { $0.subject == .contract }.map(\.id))
        XCTAssertTrue(contract.contains("mem.realloc.failure-keeps-block"))
        XCTAssertTrue(contract.contains("setallocator.ctx-passed"))
        for id in ["debug.detect.double-free", "raw.free.releases", "pymalloc.threshold-512", "default.raw-is-malloc"]
        {
            XCTAssertFalse(contract.contains(id), id)
        }
    }
}

/// A version bound as the catalogue writes it.
enum PythonVersionBound {
    static func parse(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".").map { Int($0) }
        return parts.count >= 2 && parts.allSatisfy { $0 != nil } ? parts.compactMap { $0 } : nil
    }
}
