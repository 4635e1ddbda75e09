import Foundation
import TestSupport
import XCTest

@testable import OpLanguage

/// Fuzz/ops.dict is the dictionary the byte form derives (OpDictionary): every fuzz target and
/// the bundle use that one file. PYMEMCHECK_UPDATE_GOLDEN=1 rewrites it.
final class OpDictionaryTests: XCTestCase {
    func testTheCommittedDictionaryIsTheGeneratedOne() throws {
        let path = PackageFolder.path("Fuzz/ops.dict")
        if ProcessInfo.processInfo.environment["PYMEMCHECK_UPDATE_GOLDEN"] == "1" {
            try OpDictionary.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(
            try String(contentsOfFile: path, encoding: .utf8), OpDictionary.text,
            "Fuzz/ops.dict is not what the byte form gives: "
                + "PYMEMCHECK_UPDATE_GOLDEN=1 swift test --filter OpDictionaryTests")
    }

    /// Every entry decodes: an op of the kind its opcode byte names (not a reserved one), the
    /// version, or the size its name says.
    func testEveryEntryDecodesAsNamed() throws {
        for line in OpDictionary.text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "=" })
            let bytes = Self.bytes(of: String(line))
            switch name {
            case "version": XCTAssertEqual(bytes, [ByteForm.version])
            case let size where size.hasPrefix("size_"):
                let expected = OpDictionary.namedSizes.first { "size_\($0.0)" == size }!.1
                XCTAssertEqual(ByteForm.size(bytes[0]).bytes, expected, name)
            default:
                var reader = ByteReader(bytes + [0, 0, 0, 0, 0])
                let op = try XCTUnwrap(ByteForm.decodeOp(&reader), "\(name) is a reserved kind")
                // The same kind (low five bits) whatever the domain bits: kinds without a domain ignore them.
                XCTAssertEqual(try ByteForm.encode(op)[0] & 0x1f, bytes[0] & 0x1f, name)
            }
        }
        XCTAssertEqual(OpDictionary.text.split(separator: "\n").count, 1 + 1 + 12 * 3 + 3 + 8)
    }

    static func bytes(of line: String) -> [UInt8] {
        let quoted = line.split(separator: "\"")[1]
        return quoted.split(separator: "\\").filter { !$0.isEmpty }.map { UInt8($0.dropFirst(), radix: 16)! }
    }
}
