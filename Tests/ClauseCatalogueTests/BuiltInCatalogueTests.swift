import Foundation
import TestSupport
import XCTest

@testable import ClauseCatalogue

/// The catalogue built into pymemcheck is Conformance/ as it is.
final class BuiltInCatalogueTests: XCTestCase {
    /// Every clause file, byte for byte (EmbedText writes each as a raw string literal).
    func testEveryClauseFileIsBuiltInAsItIs() throws {
        let folder = PackageFolder.path("Conformance")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }
            .sorted()
        XCTAssertEqual(EmbeddedText.files.map(\.name), names)
        for (name, text) in EmbeddedText.files {
            XCTAssertEqual(Data(text.utf8), FileManager.default.contents(atPath: "\(folder)/\(name)"), name)
        }
    }

    func testBuiltInCatalogueIsTheConformanceFolders() throws {
        let onDisk = try Catalogue.load(from: PackageFolder.path("Conformance"))
        XCTAssertEqual(try Catalogue.builtIn().sections, onDisk.sections)
    }
}
