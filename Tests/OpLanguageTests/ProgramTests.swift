import Foundation
import XCTest

@testable import OpLanguage

final class ProgramTests: XCTestCase {
    func testLegalPrefixAndFirstViolation() {
        let split = Fixtures.everyKind.legalPrefixAndFirstViolation
        XCTAssertEqual(split.prefix, Array(Fixtures.everyKind.ops.prefix(12)))
        XCTAssertEqual(split.violation, .crossFree(slot: Slot(3), .obj))

        let legal = Program([.check(slot: Slot(0)), .rawThread(rounds: 1)])
        XCTAssertEqual(legal.legalPrefixAndFirstViolation.prefix, legal.ops)
        XCTAssertNil(legal.legalPrefixAndFirstViolation.violation)
    }

    func testWithoutViolations() {
        let program = Program([
            .withoutGIL(.raw), .check(slot: Slot(1)), .apiIDWrite(slot: Slot(1)), .free(.raw, slot: Slot(1)),
        ])
        XCTAssertEqual(program.withoutViolations, [.check(slot: Slot(1)), .free(.raw, slot: Slot(1))])
    }

    func testLoadTextAndBytes() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("repro.txt")
        try Data(Fixtures.everyKindText.utf8).write(to: text)
        XCTAssertEqual(try OpInput.load(path: text.path), Fixtures.everyKind)

        let headerless = dir.appendingPathComponent("headerless")
        try Data("\n  free obj s2\n".utf8).write(to: headerless)
        XCTAssertEqual(try OpInput.load(path: headerless.path), Program([.free(.obj, slot: Slot(2))]))

        let bytes = dir.appendingPathComponent("corpus-entry")
        try Data(ByteForm.encode(Fixtures.everyKind)).write(to: bytes)
        XCTAssertEqual(try OpInput.load(path: bytes.path), Fixtures.everyKind)
    }

    func testLoadErrorsNameTheFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let badText = dir.appendingPathComponent("bad.txt")
        try Data("# header\nmallco raw 1 -> s0\n".utf8).write(to: badText)
        let badBytes = dir.appendingPathComponent("bad.bin")
        try Data([2, 0, 0]).write(to: badBytes)
        let missing = dir.appendingPathComponent("missing")
        let cases = [
            (badText, "\(badText.path): line 2: unknown op 'mallco'"),
            (badBytes, "\(badBytes.path): unsupported byte-form version 2"),
            (missing, "\(missing.path): cannot read"),
        ]
        for (url, prefix) in cases {
            XCTAssertThrowsError(try OpInput.load(path: url.path)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(prefix), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("OpLanguageTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
