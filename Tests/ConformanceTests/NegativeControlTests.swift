import Reports
import Testing

/// Every clause's check is proven able to fail: with its negative control planted (one
/// violation of exactly that clause) it must fail on the selected target in every mode where
/// it runs, while the conformance tests show it passing there without the control. Where a
/// deviation is recorded the control must still give `fail`, not the deviation: a deviation
/// is an exact observation, not a licence to fail.
@Suite("Negative controls: every clause can be made to fail")
struct NegativeControlTests {
    @Test("every clause fails under its control on the selected target")
    func everyClauseFailsUnderItsControl() throws {
        let matrix = try ConformanceRun.matrix.get()
        let controls = try #require(matrix.controls, "the run carried no controls")
        for control in controls where !control.proven {
            Issue.record(
                Comment(
                    rawValue: "\(control.clause) [\(control.target) \(control.mode)] under '\(control.violation)': "
                        + "\(control.status.rawValue) — \(control.evidence.first ?? "")"))
        }
        // Every clause that ran (pass or deviation) somewhere on this target had its control run there.
        let ran = Set(matrix.results.filter { $0.status != .notApplicable }.map { "\($0.clause) \($0.mode)" })
        let controlled = Set(controls.map { "\($0.clause) \($0.mode)" })
        #expect(ran.subtracting(controlled).sorted() == [], "clauses run without their control")
        #expect(!controls.isEmpty)
    }

    /// The clauses this target runs in no mode are checked on the other installed targets
    /// (ConformanceRun.elsewhere): there too each fails under its control wherever it runs.
    @Test("the clauses checked elsewhere fail under their controls there")
    func clausesCheckedElsewhereFailUnderTheirControls() throws {
        let matrix = try ConformanceRun.elsewhereMatrix.get()
        let controls = matrix.controls ?? []
        for control in controls where !control.proven {
            Issue.record(
                Comment(
                    rawValue: "\(control.clause) [\(control.target) \(control.mode)] under '\(control.violation)': "
                        + "\(control.status.rawValue) — \(control.evidence.first ?? "")"))
        }
        let ran = Set(
            matrix.results.filter { $0.status != .notApplicable }.map { "\($0.clause) \($0.target) \($0.mode)" })
        let controlled = Set(controls.map { "\($0.clause) \($0.target) \($0.mode)" })
        #expect(ran.subtracting(controlled).sorted() == [], "clauses run elsewhere without their control")
    }

    /// A recorded deviation on this target must be proven too: its control runs where it applies.
    @Test("every deviation seen here has a failing control")
    func everyDeviationSeenHereHasAFailingControl() throws {
        let matrix = try ConformanceRun.matrix.get()
        let deviated = matrix.results.filter { $0.status == .expectedDeviation }
        for result in deviated {
            let control = matrix.controls?.first { $0.clause == result.clause && $0.mode == result.mode }
            #expect(
                control?.status == .fail, "\(result.clause) [\(result.mode)]: the deviation's control did not fail")
        }
    }

    /// Passes compare something: a pass whose check compared nothing is not a pass.
    @Test("every pass compared something")
    func everyPassExercisedSomething() throws {
        for result in try ConformanceRun.matrix.get().results where result.status == .pass {
            #expect(result.exercised > 0, "\(result.clause) [\(result.mode)] passed having compared nothing")
        }
    }
}
