import XCTest

@testable import OpLanguage

final class TextFormTests: XCTestCase {
    func testRenderIsTheDocumentedSyntax() {
        XCTAssertEqual(TextForm.render(Fixtures.everyKind), Fixtures.everyKindText)
        XCTAssertEqual(TextForm.render(Program([])), "# pymemcheck ops v1\n")
    }

    func testTextRoundTrips() throws {
        XCTAssertEqual(TextForm.render(try TextForm.parse(Fixtures.everyKindText)), Fixtures.everyKindText)
        for program in [Fixtures.everyKind, Fixtures.boundarySizes, Program([])] {
            XCTAssertEqual(try TextForm.parse(TextForm.render(program)), program)
        }
    }

    func testSizeNamesAndHex() throws {
        let program = try TextForm.parse(
            """
            malloc raw SSIZE_MAX -> s0
            malloc mem SSIZE_MAX+1 -> s1
            calloc obj 0x10 SIZE_MAX -> s2
            realloc raw s0 0X1000
            """)
        XCTAssertEqual(
            program,
            Program([
                .malloc(.raw, size: Size(UInt(Int.max)), slot: Slot(0)),
                .malloc(.mem, size: Size(UInt(Int.max) + 1), slot: Slot(1)),
                .calloc(.obj, count: Size(16), size: Size(UInt.max), slot: Slot(2)),
                .realloc(.raw, slot: Slot(0), size: Size(4096)),
            ]))
        XCTAssertTrue(TextForm.render(program).contains("malloc mem SSIZE_MAX+1 -> s1\n"))
    }

    func testBlankLinesAndComments() throws {
        let program = try TextForm.parse(
            """

              # a whole-line comment
            check s1   # trailing comment
            \t
            free raw s2#no space
            """)
        XCTAssertEqual(program, Program([.check(slot: Slot(1)), .free(.raw, slot: Slot(2))]))
        XCTAssertEqual(try TextForm.parse(""), Program([]))
    }

    func testCRLFLinesAreLines() throws {
        XCTAssertEqual(
            try TextForm.parse("check s1\r\ncheck s2\r\n"), Program([.check(slot: Slot(1)), .check(slot: Slot(2))]))
        XCTAssertThrowsError(try TextForm.parse("check s1\r\n\r\ncheck s99\r\n")) { error in
            XCTAssertEqual((error as? TextFormError)?.line, 3)
        }
    }

    func testUnknownOpMessage() {
        XCTAssertThrowsError(try TextForm.parse("check s0\n\nmallco raw 1 -> s0\n")) { error in
            XCTAssertEqual(
                (error as? TextFormError)?.description,
                "line 3: unknown op 'mallco'; expected one of malloc, calloc, realloc, free, write, "
                    + "check, fail-next, raw-thread, on, violation")
        }
    }

    /// Each bad line is put after two good lines and a comment, so it is line 4.
    func testEveryParseErrorHasItsLineNumber() {
        let bad: [(line: String, expected: String)] = [
            ("mallco raw 16 -> s3", "unknown op"),
            ("malloc", "expected a domain"),
            ("malloc heap 16 -> s3", "expected a domain"),
            ("malloc raw sixteen -> s3", "expected a size"),
            ("malloc raw -1 -> s3", "expected a size"),
            ("malloc raw 0x -> s3", "expected a size"),
            ("malloc raw 99999999999999999999999 -> s3", "expected a size"),
            ("malloc raw 16 s3", "expected '->'"),
            ("malloc raw 16 ->", "expected a slot"),
            ("malloc raw 16 -> s16", "expected a slot"),
            ("malloc raw 16 -> 3", "expected a slot"),
            ("malloc raw 16 -> s3 extra", "unexpected 'extra'"),
            ("calloc mem 4 -> s1", "expected a size"),
            ("realloc s3 100", "expected a domain"),
            ("realloc obj s3", "expected a size"),
            ("free mem", "expected a slot"),
            ("write s3 0 16 7", "expected 'seed'"),
            ("write s3 0 256 seed 7", "expected a length"),
            ("write s3 0 16 seed", "expected a seed"),
            ("check", "expected a slot"),
            ("fail-next mem free", "expected an allocator function"),
            ("raw-thread", "expected a round count"),
            ("raw-thread -1", "expected a round count"),
            ("on", "expected a place"),
            ("on heap", "expected a place"),
            ("on thread main", "unexpected 'main'"),
            ("violation", "expected a violation"),
            ("violation double-free s3", "unknown violation"),
            ("violation cross-free s3", "expected a domain"),
            ("violation pad-write s3 200", "expected a pad offset"),
            ("violation api-id", "expected a slot"),
            ("violation without-gil", "expected a domain"),
            ("violation without-gil mem mem", "unexpected 'mem'"),
        ]
        for (line, expected) in bad {
            let text = "# pymemcheck ops v1\ncheck s0\n  # note\n\(line)   # why\ncheck s1\n"
            XCTAssertThrowsError(try TextForm.parse(text), line) { error in
                guard let error = error as? TextFormError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.line, 4, line)
                XCTAssertTrue(error.message.contains(expected), "\(line): \(error)")
                XCTAssertTrue(error.description.hasPrefix("line 4: "), "\(error)")
                XCTAssertFalse(error.description.contains("\n"))
            }
        }
    }

    func testUsageIsNamedInOperandErrors() {
        XCTAssertThrowsError(try TextForm.parse("free mem s99")) { error in
            XCTAssertEqual(
                (error as? TextFormError)?.description,
                "line 1: expected a slot s0...s15, got 's99'; usage: free <domain> <slot>")
        }
    }

    func testOtherTextVersionIsRefused() {
        XCTAssertThrowsError(try TextForm.parse("# pymemcheck ops v2\ncheck s0\n")) { error in
            XCTAssertEqual((error as? TextFormError)?.line, 1)
        }
        XCTAssertNoThrow(try TextForm.parse("check s0\n# pymemcheck ops v2\n"), "only the first line is a header")
    }
}
