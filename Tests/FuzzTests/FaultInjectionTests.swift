import Foundation
import FuzzHarness
import Oracle
import PyRuntime
import Results
import TestSupport
import XCTest

/// fail-next ops inject their failure below CPython's allocators, so that CPython's own failure
/// paths run and the oracle judges what the API returned: under the debug hooks; without them,
/// on the RAW domain pymalloc falls back to (and its arenas); never above MEM or OBJ, which in
/// malloc mode are reported not fault-injectable instead.
final class FaultInjectionTests: XCTestCase {
    static let seed = "\(CorpusReplayTests.corpus)/seeds/fuzz-faults/below-pymalloc.ops"

    func testFailuresFireBelowPymallocUnderTheHooksOrNowhere() throws {
        let target = try InstalledTargets.target("3.13")
        let expected = [
            "pymalloc": "5 below pymalloc (its RAW fallback)", "debug": "5 under the debug hooks",
            "malloc": "2 mem: not injectable in this mode, 3 obj: not injectable in this mode",
        ]
        for (mode, tally) in expected.sorted(by: { $0.key < $1.key }) {
            let result = try replay(target, mode: mode)
            XCTAssertEqual(result.outcome, .conforms, "\(mode): \(result.verdict?.findings.map(\.description) ?? [])")
            XCTAssertEqual(result.verdict?.note?.components(separatedBy: "; ").first, "fail-next: \(tally)", mode)
        }
    }

    /// A failure below pymalloc reaches the API as CPython passes it on: a realloc whose
    /// allocator below fails returns NULL, and a defect that then frees the block is found.
    func testAFailureBelowPymallocReachesTheOracle() throws {
        let target = try InstalledTargets.target("3.13")
        let result = try replay(target, mode: "pymalloc", mutant: "realloc-failure-frees-block")
        XCTAssertEqual(result.invariants, [.failureKeepsBlock], "\(result.verdict?.findings.map(\.description) ?? [])")
        XCTAssertEqual(result.detectedBy, "invariant failure-keeps-block")
    }

    private func replay(_ target: PythonTarget, mode: String, mutant: String? = nil) throws -> ReplayEntry {
        let arguments =
            ["replay", Self.seed, "--python", target.libraryPath, "--mode", mode, "--format", "json"]
            + (mutant.map { ["--mutant", $0] } ?? [])
        let outcome = try PyMemCheckProcess.run(arguments)
        return try XCTUnwrap(try ReplayJSON.results(outcome.stdout).first, outcome.stderr)
    }
}
