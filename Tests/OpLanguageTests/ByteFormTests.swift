import XCTest

@testable import OpLanguage

final class ByteFormTests: XCTestCase {
    func testEveryKindRoundTrips() throws {
        for program in [Fixtures.everyKind, Fixtures.boundarySizes, Program([])] {
            XCTAssertEqual(try ByteForm.decode(ByteForm.encode(program)), program)
        }
    }

    func testEncodingIsTheFrozenTable() throws {
        let program = Program([
            .malloc(.mem, size: Size(16), slot: Slot(3)),
            .calloc(.obj, count: Size(4), size: Size(UInt.max), slot: Slot(1)),
            .realloc(.raw, slot: Slot(2), size: Size(192)),
            .free(.obj, slot: Slot(3)),
            .write(slot: Slot(3), offset: 1, length: 2, seed: 3),
            .check(slot: Slot(4)),
            .failNext(.mem, .realloc),
            .rawThread(rounds: 9),
            .crossFree(slot: Slot(5), .obj),
            .padWrite(slot: Slot(6), offset: -1),
            .apiIDWrite(slot: Slot(7)),
            .withoutGIL(.obj),
            .on(.interpreter),
        ])
        XCTAssertEqual(
            try ByteForm.encode(program),
            [
                1,
                0x20, 16, 3,
                0x41, 4, 229, 1,
                0x02, 2, 192,
                0x43, 3,
                0x04, 3, 1, 2, 3,
                0x05, 4,
                0x26, 2,
                0x07, 9,
                0x48, 5,
                0x09, 6, 0,
                0x0A, 7,
                0x4B,
                0x0C, 2,
            ])
    }

    func testCanonicalisationOverRandomBytes() throws {
        var rng = XorShift64(seed: 0x5EED_0F_0B5)
        for _ in 0..<2_000 {
            let bytes = [ByteForm.version] + (0..<rng.below(64)).map { _ in rng.byte() }
            let decoded = try ByteForm.decode(bytes)
            let canonical = try ByteForm.encode(decoded)
            XCTAssertEqual(try ByteForm.decode(canonical), decoded, "input \(bytes)")
            XCTAssertEqual(try ByteForm.encode(ByteForm.decode(canonical)), canonical, "input \(bytes)")
        }
    }

    func testTruncatedInputsDecodeWithZeroOperands() throws {
        let bytes = try ByteForm.encode(Fixtures.everyKind)
        for end in 1...bytes.count { XCTAssertNoThrow(try ByteForm.decode(bytes.prefix(end))) }
        XCTAssertEqual(
            try ByteForm.decode([1, 0x01, 4]),
            Program([.calloc(.raw, count: Size(4), size: Size(0), slot: Slot(0))]))
        XCTAssertEqual(
            try ByteForm.decode([1, 0x04]), Program([.write(slot: Slot(0), offset: 0, length: 0, seed: 0)]))
    }

    func testReservedKindsAreSkipped() throws {
        let reserved: [UInt8] = (13...31).flatMap { k in [k, k | 0x20, k | 0xE0] }
        XCTAssertEqual(try ByteForm.decode([1] + reserved), Program([]))
        // A reserved opcode consumes only itself: the next byte is an opcode again.
        XCTAssertEqual(try ByteForm.decode([1, 13, 0x05, 3, 31]), Program([.check(slot: Slot(3))]))
    }

    func testOpcodeBitsAndOperandWrapping() throws {
        XCTAssertEqual(try ByteForm.decode([1, 0x63]), Program([.free(.raw, slot: Slot(0))]), "domain 3 wraps to raw")
        XCTAssertEqual(try ByteForm.decode([1, 0xA3, 0]), Program([.free(.mem, slot: Slot(0))]), "bit 7 is ignored")
        XCTAssertEqual(try ByteForm.decode([1, 0x05, 19]), Program([.check(slot: Slot(3))]), "slots wrap")
        XCTAssertEqual(try ByteForm.decode([1, 0x06, 5]), Program([.failNext(.raw, .realloc)]), "function % 3")
        XCTAssertEqual(try ByteForm.decode([1, 0xEC, 4]), Program([.on(.thread)]), "place % 3, domain ignored")
    }

    func testSizeCodes() {
        XCTAssertEqual(ByteForm.size(191), Size(191))
        for (i, b) in Size.boundaries.enumerated() { XCTAssertEqual(ByteForm.size(UInt8(192 + i)), Size(b)) }
        XCTAssertEqual(ByteForm.size(UInt8(192 + Size.boundaries.count)), Size(Size.boundaries[0]), "codes wrap")
        XCTAssertEqual(ByteForm.size(255), Size(Size.boundaries[(255 - 192) % Size.boundaries.count]))
    }

    func testPadOffsetCodes() throws {
        let expected: [Int8] = [-1, -2, -3, -4, -5, -6, -7, 0, 1, 2, 3, 4, 5, 6, 7]
        XCTAssertEqual((0..<15).map { ByteForm.padOffset(UInt8($0)) }, expected)
        XCTAssertEqual(ByteForm.padOffset(15), -1)
        for (code, offset) in expected.enumerated() { XCTAssertEqual(try ByteForm.padOffsetByte(offset), UInt8(code)) }
    }

    func testVersionErrors() {
        XCTAssertThrowsError(try ByteForm.decode([UInt8]())) { XCTAssertEqual($0 as? ByteFormError, .empty) }
        for v: UInt8 in [0, 2, 255] {
            XCTAssertThrowsError(try ByteForm.decode([v, 0, 0, 0])) {
                XCTAssertEqual($0 as? ByteFormError, .unsupportedVersion(v))
            }
        }
        XCTAssertEqual(try ByteForm.decode([1]), Program([]))
    }

    func testUnencodableSizeAndOffset() {
        for size: UInt in [193, 4_194_305, UInt.max - 1] {
            XCTAssertThrowsError(try ByteForm.encode(Program([.malloc(.raw, size: Size(size), slot: Slot(0))]))) {
                XCTAssertEqual($0 as? ByteFormError, .unencodableSize(size))
            }
        }
        XCTAssertThrowsError(try ByteForm.encode(Program([.realloc(.raw, slot: Slot(0), size: Size(300))]))) {
            XCTAssertEqual($0 as? ByteFormError, .unencodableSize(300))
        }
        for offset: Int8 in [-8, 8, -128, 127] {
            XCTAssertThrowsError(try ByteForm.encode(Program([.padWrite(slot: Slot(0), offset: offset)]))) {
                XCTAssertEqual($0 as? ByteFormError, .unencodableOffset(offset))
            }
        }
    }

    func testErrorDescriptionsAreOneLine() {
        let errors: [ByteFormError] = [.empty, .unsupportedVersion(7), .unencodableSize(193), .unencodableOffset(9)]
        for error in errors { XCTAssertFalse(error.description.contains("\n")) }
        XCTAssertEqual(ByteFormError.unsupportedVersion(7).description, "unsupported byte-form version 7; expected 1")
    }
}
