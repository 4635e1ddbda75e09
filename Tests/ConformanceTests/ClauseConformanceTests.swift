import PyRuntime
import Reports
import Results
import TestSupport
import Testing
import Vocabulary

/// The catalogue is the list of conformance tests: every clause of Conformance/*.yaml is a test
/// case in every mode of the selected target (PYMEMCHECK_PYTHON, default python3 on PATH), read
/// from one run of the whole catalogue (ConformanceRun). Adding a clause to the catalogue adds
/// its cases here; nothing in this file names one.
@Suite("Conformance: the clause catalogue on the selected target")
struct ClauseConformanceTests {
    static let clauseIDs: [String] = (try? ConformanceRun.catalogue.get().clauses.map(\.id)) ?? []

    /// A catalogue that does not load would leave the cases below with no arguments, and
    /// nothing checked: this case fails instead.
    @Test("every clause of the catalogue is a test case")
    func everyClauseIsATestCase() throws {
        let catalogue = try ConformanceRun.catalogue.get()
        #expect(Self.clauseIDs == catalogue.clauses.map(\.id))
        #expect(Self.clauseIDs.count >= 100)
    }

    /// The clause holds in the mode, or deviates exactly as recorded. A clause the selected
    /// target runs in no mode is asked on every other installed CPython instead; a case that
    /// applies nowhere in this mode is cancelled with the reason (clauseRunsSomewhere below
    /// fails a clause that runs on nothing installed at all).
    @Test("the clause holds in the mode", arguments: clauseIDs, AllocatorMode.allCases)
    func clauseHolds(_ clause: String, _ mode: AllocatorMode) throws {
        let results = try ConformanceRun.results(of: clause)
        let here = results.here.filter { $0.mode == mode.name }
        let elsewhere = results.runsHere ? [] : results.elsewhere.filter { $0.mode == mode.name }
        for result in here + elsewhere where result.status.isUnexpected {
            Issue.record(
                Comment(
                    rawValue: "\(clause) [\(result.target) \(result.mode)] \(result.status.rawValue): "
                        + result.evidence.joined(separator: "; ")))
        }
        if (here + elsewhere).allSatisfy({ $0.status == .notApplicable }) {
            try Test.cancel("\(clause) does not apply in mode \(mode.name): \(Self.reasons(here + elsewhere))")
        }
    }

    /// Every clause runs on some CPython installed here, in some mode: otherwise it is skipped,
    /// saying what to install, and under PYMEMCHECK_REQUIRE_TARGETS=1 (CI) it fails.
    @Test("the clause runs on an installed CPython", arguments: clauseIDs)
    func clauseRunsSomewhere(_ clause: String) throws {
        let results = try ConformanceRun.results(of: clause)
        let all = results.here + results.elsewhere
        #expect(!all.isEmpty, "\(clause) was run nowhere")
        guard all.allSatisfy({ $0.status == .notApplicable }) else { return }
        let message =
            "\(clause) applies to no CPython installed here in any mode (\(Self.reasons(all))); "
            + "install a target it holds for (see its versions in Conformance/) to check it"
        if Requirement.strict {
            Issue.record("\(message) (PYMEMCHECK_REQUIRE_TARGETS=1: a clause checked nowhere fails)")
        } else {
            try Test.cancel(Comment(rawValue: message))
        }
    }

    static func reasons(_ results: [ClauseResult]) -> String {
        let reasons = Set(results.compactMap(\.evidence.first)).sorted()
        return reasons.isEmpty ? "the target has no such mode" : reasons.joined(separator: "; ")
    }
}
