import ClauseCatalogue
import Executor
import Foundation
import Isolation
import PyRuntime
import Reports
import XCTest

/// Every clause's check is proven able to fail: with its negative control planted (one
/// violation of exactly that clause) it must fail on the selected target in every mode where
/// it runs, while the conformance tests show it passing there without the control. Where a
/// deviation is recorded the control must still give `fail`, not the deviation: a deviation
/// is an exact observation, not a licence to fail.
final class NegativeControlTests: XCTestCase {
    func testEveryClauseFailsUnderItsControl() throws {
        let matrix = try ConformanceRun.matrix.get()
        let controls = try XCTUnwrap(matrix.controls, "the run carried no controls")
        for control in controls where !control.proven {
            XCTFail(
                "\(control.clause) [\(control.target) \(control.mode)] under '\(control.violation)': "
                    + "\(control.status.rawValue) — \(control.evidence.first ?? "")")
        }
        // Every clause that ran (pass or deviation) somewhere on this target had its control run there.
        let ran = Set(matrix.results.filter { $0.status != .notApplicable }.map { "\($0.clause) \($0.mode)" })
        let controlled = Set(controls.map { "\($0.clause) \($0.mode)" })
        XCTAssertEqual(ran.subtracting(controlled).sorted(), [], "clauses run without their control")
        XCTAssertFalse(controls.isEmpty)
    }

    /// The clauses this target runs in no mode are checked on the other installed targets
    /// (ConformanceRun.elsewhere): there too each fails under its control wherever it runs.
    func testClausesCheckedElsewhereFailUnderTheirControls() throws {
        let matrix = try ConformanceRun.elsewhereMatrix.get()
        let controls = matrix.controls ?? []
        for control in controls where !control.proven {
            XCTFail(
                "\(control.clause) [\(control.target) \(control.mode)] under '\(control.violation)': "
                    + "\(control.status.rawValue) — \(control.evidence.first ?? "")")
        }
        let ran = Set(
            matrix.results.filter { $0.status != .notApplicable }.map { "\($0.clause) \($0.target) \($0.mode)" })
        let controlled = Set(controls.map { "\($0.clause) \($0.target) \($0.mode)" })
        XCTAssertEqual(ran.subtracting(controlled).sorted(), [], "clauses run elsewhere without their control")
    }

    /// A recorded deviation on this target must be proven too: its control runs where it applies.
    func testEveryDeviationSeenHereHasAFailingControl() throws {
        let matrix = try ConformanceRun.matrix.get()
        let deviated = matrix.results.filter { $0.status == .expectedDeviation }
        for result in deviated {
            let control = matrix.controls?.first { $0.clause == result.clause && $0.mode == result.mode }
            XCTAssertEqual(
                control?.status, .fail, "\(result.clause) [\(result.mode)]: the deviation's control did not fail")
        }
    }

    /// Passes compare something: a pass whose check compared nothing is not a pass.
    func testEveryPassExercisedSomething() throws {
        for result in try ConformanceRun.matrix.get().results where result.status == .pass {
            XCTAssertGreaterThan(
                result.exercised, 0, "\(result.clause) [\(result.mode)] passed having compared nothing")
        }
    }
}

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
