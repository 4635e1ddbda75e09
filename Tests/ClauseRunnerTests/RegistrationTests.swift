import ClauseCatalogue
import Foundation
import NegativeControls
import TestSupport
import XCTest

/// The catalogue and the registrations agree: each section's Swift file (Sources/NegativeControls/
/// Clauses/) registers exactly the clauses of its catalogue file, each with a check and a
/// negative control (NegativeControlTests shows each control failing its clause).
final class RegistrationTests: XCTestCase {
    let catalogue = Result { try Catalogue.load(from: PackageFolder.path("Conformance")) }

    func testEachSectionRegistersTheClausesOfItsCatalogueFile() throws {
        let sections = try catalogue.get().sections
        XCTAssertEqual(Set(sections.compactMap(\.file)), Set(ClauseRegistry.sections.keys))
        for section in sections {
            let file = try XCTUnwrap(section.file)
            let registered = ClauseRegistry.sections[file]?.map(\.id) ?? []
            XCTAssertEqual(registered, section.clauses.map(\.id), "\(file) and its registrations differ")
        }
    }

    func testEveryClauseHasACheckAndAControlAndNothingElseIsRegistered() throws {
        let ids = Set(try catalogue.get().clauses.map(\.id))
        XCTAssertEqual(ids.subtracting(ClauseRegistry.ids).sorted(), [], "clauses without a registration")
        XCTAssertEqual(ClauseRegistry.ids.subtracting(ids).sorted(), [], "registrations without a clause")
        for id in ClauseRegistry.ids {
            XCTAssertFalse(ClauseRegistry.control(for: id)!.violation.isEmpty, "\(id): its control says nothing")
        }
    }
}
