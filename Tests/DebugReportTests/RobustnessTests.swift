import DebugReport
import XCTest

/// Malformed, hostile and synthetic input: never a trap, always an honest `missing`.
final class RobustnessTests: XCTestCase {
    func testGarbageLinesDoNotTrapAndAreNotAReport() {
        let garbage = [
            "\u{0}\u{1}\u{FFFD}\u{FFFD}", "🙂🙂🙂\n", String(repeating: "x", count: 200_000),
            String(repeating: "\n", count: 10_000), "Debug memory block", "Fatal Python error:",
            "Fatal Python error: ", "    99999999999999999999999 bytes originally requested\n",
            "at p-99999999999999999999: 0x00\n", "Data at p: zz ... ... 0\n", "  File \"", "  File \"a\", line ",
        ]
        for text in garbage {
            let report = DebugReportParser.parse(text)
            XCTAssertFalse(report.isComplete, text.prefix(40).debugDescription)
            XCTAssertNil(report.kind, text.prefix(40).debugDescription)
        }
    }

    func testOutOfRangeNumbersAreRejectedNotTrapped() {
        let text = """
            Debug memory block at address p=0x123456789abcdef0123: API 'm'
                -5 bytes originally requested
                The 99999999999999999999 pad bytes at p-7 are FORBIDDENBYTE, as expected.
                The 8 pad bytes at tail=0x10 are not all FORBIDDENBYTE (0x1234):
                    at tail+99999999999999999999: 0x78 *** OUCH
                The block was made by call #999999999999999999999999 to debug malloc/realloc.
                Data at p: 100 cd

            Fatal Python error: bad trailing pad byte

            """
        let report = DebugReportParser.parse(text)
        XCTAssertNil(report.blockAddress)
        XCTAssertNil(report.bytesRequested)
        XCTAssertNil(report.leadingPad)
        XCTAssertNil(report.trailingPad)
        XCTAssertNil(report.serialNumber)
        XCTAssertEqual(report.dataBytes, [0xcd])
        XCTAssertEqual(
            report.missing,
            [
                "block header", "bytes requested", "leading pad", "trailing pad", "data", "current thread traceback",
            ])
    }

    func testHugePadCountWithFewBytesIsIncomplete() {
        let text = """
            Debug memory block at address p=0x10: API 'o'
                8 bytes originally requested
                The 999999 pad bytes at p-999999 are not all FORBIDDENBYTE (0xfd):
                    at p-2: 0x00 *** OUCH

            """
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report.leadingPad?.count, 999_999)
        XCTAssertEqual(report.leadingPad?.badOffsets, [-2])
        XCTAssertEqual(report.missing.first, "leading pad")
    }

    func testPadBytesOfTheOtherSideAreNotAttached() {
        let text = """
            Debug memory block at address p=0x10: API 'm'
                16 bytes originally requested
                The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):
                    at tail+0: 0x78 *** OUCH

            """
        let report = DebugReportParser.parse(text)
        XCTAssertEqual(report.leadingPad?.bytes, [])
        XCTAssertEqual(report.missing.first, "leading pad")
    }

    func testRandomBytesDoNotTrap() {
        var random = SeededRandom(seed: 0x5eed)
        for _ in 0..<300 {
            let bytes = (0..<random.next(below: 400)).map { _ in UInt8(random.next(below: 256)) }
            _ = DebugReportParser.parse(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Deletes, duplicates and rewrites pieces of real reports.
    func testMutatedFixturesDoNotTrap() {
        var random = SeededRandom(seed: 0xfd)
        let alphabet = Array("0123456789abcdefx:'\" \n-+#.()<>OUCH*FileTheat")
        for fixture in Fixtures.all {
            for _ in 0..<40 {
                var text = Array(fixture.text)
                for _ in 0..<(1 + random.next(below: 4)) {
                    text.mutate(using: &random, alphabet: alphabet)
                }
                let report = DebugReportParser.parse(String(text))
                XCTAssertEqual(report.isComplete, report.missing.isEmpty)
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Int(z % UInt64(max(bound, 1)))
    }
}

extension Array where Element == Character {
    /// One random edit: delete a run, duplicate a run, or overwrite one character.
    mutating func mutate(using random: inout SeededRandom, alphabet: [Character]) {
        guard !isEmpty else { return }
        let start = random.next(below: count)
        let end = Swift.min(count, start + 1 + random.next(below: 60))
        switch random.next(below: 3) {
        case 0: removeSubrange(start..<end)
        case 1: insert(contentsOf: self[start..<end], at: end)
        default: self[start] = alphabet[random.next(below: alphabet.count)]
        }
    }
}
