import Foundation
import Results

/// For CI systems: a test suite per target and mode, a test case per clause. The shape is the
/// common JUnit one (Schemas/junit.xsd): an unexpected result is a failure, not applicable is
/// skipped, an expected deviation passes with its record as output. No result is an error
/// (a check that could not run is a failure with its reason), so `errors` is always 0.
enum JUnitReport {
    static func render(_ matrix: Matrix) -> String {
        var xml = XMLWriter()
        xml.start(
            "testsuites",
            [
                "name": "pymemcheck", "tests": "\(matrix.results.count)",
                "failures": "\(matrix.unexpected.count)", "errors": "0",
                "skipped": "\(matrix.counts()[.notApplicable] ?? 0)", "time": seconds(matrix.seconds),
            ])
        for column in matrix.columns {
            suite(column, matrix.results.filter { $0.target == column.target && $0.mode == column.mode }, into: &xml)
        }
        xml.end()
        return xml.text
    }

    static func suite(_ column: MatrixColumn, _ results: [ClauseResult], into xml: inout XMLWriter) {
        xml.start(
            "testsuite",
            [
                "name": "\(column.target) \(column.mode)", "tests": "\(results.count)",
                "failures": "\(results.filter(\.status.isUnexpected).count)", "errors": "0",
                "skipped": "\(results.filter { $0.status == .notApplicable }.count)",
                "time": seconds(results.reduce(0) { $0 + $1.seconds }),
            ])
        for result in results {
            xml.start(
                "testcase",
                [
                    "classname": "\(column.target).\(column.mode)", "name": result.clause,
                    "time": seconds(result.seconds),
                ])
            let detail = result.evidence.joined(separator: "\n")
            switch result.status {
            case .fail, .unexpectedPass:
                let status = result.status.rawValue
                xml.element("failure", ["message": status, "type": status], text: detail)
            case .notApplicable:
                xml.element("skipped", ["message": result.evidence.first ?? "not applicable"])
            case .expectedDeviation:
                xml.element("system-out", text: "expected deviation: \(detail)")
            case .pass:
                break
            }
            xml.end()
        }
        xml.end()
    }

    /// Fixed decimals, never an exponent ("0.000030", not "3e-05").
    static func seconds(_ value: Double) -> String {
        String(format: "%.6f", value.isFinite ? max(0, value) : 0)
    }
}
