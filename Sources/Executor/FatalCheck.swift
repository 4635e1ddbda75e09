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

    public init(_ name: String, fields: [String: ExpectedReport.Value] = [:], violation: @escaping (PythonRuntime) -> Void) {
        self.name = name
        self.fields = fields
        self.violation = violation
    }
}

/// Runs each variant in a forked child of the running target and checks that it ended in
/// Py_FatalError (SIGABRT) with the documented report, field by field.
public enum FatalCheck {
    static let timeout: Double = 30

    public static func run(_ context: CheckContext, _ variants: [FatalVariant]) -> CheckVerdict {
        guard let expected = context.clause.expectedReport(for: context.version) else {
            return .fail("the catalogue gives no expected report for \(context.version)")
        }
        var evidence = Evidence()
        for variant in variants {
            let fields = expected.fields.merging(variant.fields) { $1 }.merging(context.seams.expectedReport) { $1 }
            let found = problems(context, variant, expected: fields)
            found.forEach { evidence.add("\(variant.name): \($0)") }
            if found.isEmpty { evidence.exercised() }
        }
        return evidence.verdict
    }

    static func problems(_ context: CheckContext, _ variant: FatalVariant, expected: [String: ExpectedReport.Value]) -> [String] {
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

/// Compares a parsed report with expected field values.
public enum ReportComparison {
    public static func mismatches(_ report: DebugHookReport, expected: [String: ExpectedReport.Value]) -> [String] {
        expected.sorted { $0.key < $1.key }.compactMap { name, want in
            let have = value(of: name, in: report)
            return have == want ? nil : "report field \(name) is \(have), expected \(want)"
        }
    }

    /// A report field by its catalogue name.
    public static func value(of name: String, in report: DebugHookReport) -> ExpectedReport.Value {
        func text(_ value: String?) -> ExpectedReport.Value { value.map { .string($0) } ?? .null }
        func number<T: BinaryInteger>(_ value: T?) -> ExpectedReport.Value { value.map { .integer(Int($0)) } ?? .null }
        switch name {
        case "function": return text(report.fatalFunction)
        case "message": return text(report.fatalMessage)
        case "api_id": return text(report.apiID)
        case "bytes_requested": return number(report.bytesRequested)
        case "bad_leading_offsets": return report.leadingPad.map { .integers($0.badOffsets) } ?? .null
        case "bad_trailing_offsets": return report.trailingPad.map { .integers($0.badOffsets) } ?? .null
        case "expected_pad_byte":
            return number((report.trailingPad?.expectedByte ?? report.leadingPad?.expectedByte))
        case "runtime_state": return text(report.runtimeState)
        case "tracemalloc_hint": return .flag(report.tracemallocHint)
        case "allocation_traceback": return .flag(!report.allocationTraceback.isEmpty)
        case "serial_number": return .flag(report.serialNumber != nil)
        case "allocated_api": return text(apiLetters(report.fatalMessage)?.allocated)
        case "verified_api": return text(apiLetters(report.fatalMessage)?.verified)
        default: return .string("<unknown field \(name)>")
        }
    }

    /// "bad ID: Allocated using API 'm', verified using API 'o'" → ("m", "o").
    static func apiLetters(_ message: String?) -> (allocated: String, verified: String)? {
        guard let message, let regex = try? NSRegularExpression(pattern: "API '(.)', verified using API '(.)'"),
              let match = regex.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)),
              let first = Range(match.range(at: 1), in: message), let second = Range(match.range(at: 2), in: message) else {
            return nil
        }
        return (String(message[first]), String(message[second]))
    }
}
