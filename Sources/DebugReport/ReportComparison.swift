import Foundation

/// Compares a parsed report with expected field values.
public enum ReportComparison {
    public static func mismatches(_ report: DebugHookReport, expected: [String: ReportValue]) -> [String] {
        expected.sorted { $0.key < $1.key }.compactMap { name, want in
            let have = value(of: name, in: report)
            return have == want ? nil : "report field \(name) is \(have), expected \(want)"
        }
    }

    /// A report field by its catalogue name.
    public static func value(of name: String, in report: DebugHookReport) -> ReportValue {
        func text(_ value: String?) -> ReportValue { value.map { .string($0) } ?? .null }
        func number<T: BinaryInteger>(_ value: T?) -> ReportValue { value.map { .integer(Int($0)) } ?? .null }
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
        case "allocation_lines": return .integers(report.allocationTraceback.map(\.line))
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
            let first = Range(match.range(at: 1), in: message), let second = Range(match.range(at: 2), in: message)
        else {
            return nil
        }
        return (String(message[first]), String(message[second]))
    }
}
