import Foundation
import FuzzHarness
import Oracle
import TestSupport
import XCTest

/// fuzz-violations runs a legal prefix before its violation: what the oracle finds on that
/// prefix is a finding of the input, in every mode, not something the violation's verdict
/// replaces.
final class ViolationPrefixTests: XCTestCase {
    func testOracleFindingsOnTheLegalPrefixAreReported() throws {
        let target = try InstalledTargets.target("3.13")
        let input = try Self.write(
            """
            # target: fuzz-violations
            malloc raw 16 -> s1
            malloc raw 0 -> s0
            violation pad-write s1 0
            """)
        // zero-size-null makes op 2 return NULL: a non-null finding on the prefix. Without the
        // debug hooks the violation itself is only recorded, so the prefix is all there is.
        for mode in ["pymalloc", "debug"] {
            let outcome = try PyMemCheckProcess.run([
                "replay", input, "--python", target.libraryPath, "--mode", mode,
                "--mutant", "zero-size-null", "--format", "json",
            ])
            let result = try XCTUnwrap(try ReplayJSON.results(outcome.stdout).first, outcome.stderr)
            XCTAssertEqual(result.outcome, .finding, "\(mode): \(result.verdict?.note ?? result.detail ?? "")")
            XCTAssertEqual(result.verdict?.findings.first?.invariant, .nonNull, mode)
            XCTAssertEqual(result.verdict?.findings.first?.opIndex, 1, mode)
        }
    }

    func testAConformingPrefixLeavesTheVerdictToTheViolation() throws {
        let target = try InstalledTargets.target("3.13")
        let input = try Self.write(
            """
            # target: fuzz-violations
            malloc raw 16 -> s1
            violation pad-write s1 0
            """)
        let outcome = try PyMemCheckProcess.run([
            "replay", input, "--python", target.libraryPath, "--mode", "debug", "--format", "json",
        ])
        let result = try XCTUnwrap(try ReplayJSON.results(outcome.stdout).first, outcome.stderr)
        XCTAssertEqual(result.outcome, .conforms, "\(result.verdict?.findings.map(\.description) ?? [])")
        XCTAssertEqual(
            result.verdict?.note?.contains("detected with the documented report"), true, result.verdict?.note ?? "")
    }

    static func write(_ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pymemcheck-fuzztests-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("prefix-\(UUID().uuidString).ops")
        try (text + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
