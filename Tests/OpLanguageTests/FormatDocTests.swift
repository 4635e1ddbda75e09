import Foundation
import XCTest

@testable import OpLanguage

/// Fuzz/FORMAT.md promises a frozen v1 format; these tests keep the document and the code in step.
final class FormatDocTests: XCTestCase {
    /// The boundary table is part of byte form v1: reordering it would change old corpus files.
    func testSizeBoundariesAreFrozen() {
        let frozen: [UInt] = [
            192, 255, 256, 257, 500, 511, 512, 513, 600, 1000, 1023, 1024, 1025, 2048, 4095, 4096, 4097,
            8192, 16_384, 65_535, 65_536, 65_537, 131_072, 262_143, 262_144, 262_145, 524_288,
            1_048_575, 1_048_576, 1_048_577, 2_097_152, 4_194_304,
            1 << 32, 1 << 62, UInt(Int.max), UInt(Int.max) + 1, UInt.max - 15, UInt.max,
        ]
        XCTAssertEqual(Size.boundaries, frozen)
    }

    func testDocumentedSizeTableMatchesDecoding() throws {
        let doc = try document()
        let table = try XCTUnwrap(doc.range(of: "### Size table"))
        let section = String(doc[table.upperBound...]).components(separatedBy: "\n## ")[0]
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| 1") || $0.hasPrefix("| 2") }
        XCTAssertEqual(rows.count, Size.boundaries.count)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let code = try XCTUnwrap(UInt8(cells[0]), String(row))
            XCTAssertEqual(ByteForm.size(code).bytes, UInt(cells[2]), String(row))
        }
    }

    func testDocumentedExampleParses() throws {
        let doc = try document()
        let start = try XCTUnwrap(doc.range(of: "```\n# pymemcheck ops v1\n"))
        let end = try XCTUnwrap(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        let program = try TextForm.parse(String(doc[start.upperBound..<end.lowerBound]))
        XCTAssertEqual(program.ops.count, 5)
        XCTAssertEqual(try ByteForm.decode(ByteForm.encode(program)), program)
    }

    private func document() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Fuzz/FORMAT.md"), encoding: .utf8)
    }
}
