import ClauseCatalogue
import DebugReport
import Foundation
import Isolation
import PyRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// One way of breaking the allocator rules that the debug hooks must catch, with the report
/// fields that this variant adds to the clause's expected report (an offset, API letters).
public struct FatalVariant {
    public var name: String
    public var fields: [String: ExpectedReport.Value]
    public var violation: (PythonRuntime) -> Void

    public init(
        _ name: String, fields: [String: ExpectedReport.Value] = [:], violation: @escaping (PythonRuntime) -> Void
    ) {
        self.name = name
        self.fields = fields
        self.violation = violation
    }
}

/// Runs each variant in a forked child of the running target and checks that it ended in
/// Py_FatalError (SIGABRT) with the documented report, field by field.
public enum FatalCheck {
    package static let timeout: Double = 30

    public static func run(_ context: CheckContext, _ variants: [FatalVariant]) -> CheckVerdict {
        guard let expected = context.clause.expectedReport(for: context.version) else {
            return .fail("the catalogue gives no expected report for \(context.version)")
        }
        var evidence = Evidence()
        for variant in variants {
            let fields = expected.fields.merging(variant.fields) { $1 }.merging(context.seams.expectedReport) { $1 }
            let found = problems(context, variant, expected: fields)
            for problem in found { evidence.add("\(variant.name): \(problem)") }
            if found.isEmpty { evidence.exercised() }
        }
        return evidence.verdict
    }

    static func problems(_ context: CheckContext, _ variant: FatalVariant, expected: [String: ExpectedReport.Value])
        -> [String]
    {
        let outcome: ChildOutcome
        do {
            outcome = try ForkedChild.run(timeout: timeout) {
                variant.violation(context.runtime)
                print("undetected")
            }
        } catch {
            return ["could not isolate the violation: \(error)"]
        }
        guard outcome.signal == SIGABRT else {
            let last = outcome.stderr.split(separator: "\n").last.map(String.init) ?? ""
            return ["expected an abort (Py_FatalError), got: \(outcome.summary)\(last.isEmpty ? "" : " — \(last)")"]
        }
        return ReportComparison.mismatches(DebugReportParser.parse(outcome.stderr), expected: expected)
    }
}
