import Checks
import ClauseCatalogue
import ClauseRunner
import Foundation
import Isolation
import PyRuntime
import Reports
import Results
import Vocabulary
import XCTest

/// The rules that turn verdicts into results, on a made-up clause and target.
final class VerdictRulesTests: XCTestCase {
    static let target = PythonTarget(
        id: "3.13.0", version: PythonVersion(3, 13, 0), versionString: "3.13.0", libraryPath: "/nonexistent",
        prefix: nil, origin: .pyenv, debugBuild: false, pymalloc: true, mimalloc: true)

    func clause(deviationObservation: String) throws -> Clause {
        let yaml = """
            {"id": "x.y.z", "statement": "s", "sources": [], "since": "3.6", "domains": [], "features": [],
             "modes": "all", "kind": "in-process", "check": "c", "tests": [],
             "deviations": [{"target": "3.13", "mode": "*", "observed": "o",
                             "observation": "\(deviationObservation)", "evidence": "e"}]}
            """
        return try JSONDecoder().decode(Clause.self, from: Data(yaml.utf8))
    }

    func status(_ verdict: CheckVerdict, recorded: String) throws -> ResultStatus {
        let runner = ConformanceRunner(catalogue: Catalogue(sections: []), catalogueFolder: "/nonexistent")
        return runner.result(
            try clause(deviationObservation: recorded), target: Self.target, mode: .debug, verdict: verdict, seconds: 0
        ).status
    }

    func testADeviationIsExpectedOnlyWhenObservedExactly() throws {
        XCTAssertEqual(
            try status(
                CheckVerdict.fail("x").observing("dead 14, kept 72, dead 64"), recorded: "dead 14, kept 72, dead 64"),
            .expectedDeviation)
        XCTAssertEqual(
            try status(CheckVerdict.fail("x").observing("kept 150"), recorded: "dead 14, kept 72, dead 64"), .fail)
        // A crash or a hang observes nothing: it is a failure even where a deviation is recorded.
        XCTAssertEqual(
            try status(.fail("the target terminated by signal 11"), recorded: "dead 14, kept 72, dead 64"), .fail)
        XCTAssertEqual(try status(.pass(exercised: 3), recorded: "kept 150"), .unexpectedPass)
    }

    /// A worker that dies on a control has not shown the check failing: the control stays unproven.
    func testADeadWorkerFailsAClauseButProvesNoControl() {
        let died = ChildOutcome(exitStatus: nil, signal: SIGKILL, timedOut: false, stdout: "", stderr: "", seconds: 1)
        for control in [false, true] {
            let item = Worker.Item(clause: "raw.calloc.zeroes", control: control)
            let (verdict, _) = ConformanceRunner.verdict(.charged(died), for: item)
            XCTAssertEqual(verdict.status, control ? .notApplicable : .fail, "control: \(control)")
        }
    }

    func testNothingComparedIsNotAPass() {
        XCTAssertEqual(Evidence().verdict.status, .notApplicable)
        var evidence = Evidence()
        evidence.expect(true, "never")
        XCTAssertEqual(evidence.verdict, .pass(exercised: 1))
        evidence.expect(false, "wrong")
        XCTAssertEqual(evidence.verdict.status, .fail)
    }
}
