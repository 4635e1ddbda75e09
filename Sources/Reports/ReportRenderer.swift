import Foundation

public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, junit, markdown, html
}

public enum ReportRenderer {
    public static func render(_ matrix: Matrix, as format: ReportFormat) throws -> String {
        switch format {
        case .text: return TextReport.render(matrix)
        case .json: return try JSONReport.render(matrix)
        case .junit: return JUnitReport.render(matrix)
        case .markdown: return MarkdownReport.render(matrix)
        case .html: return HTMLReport.render(matrix)
        }
    }

    /// "12 pass, 1 fail, 3 not applicable" in a fixed order, zero counts left out.
    static func summary(_ counts: [ResultStatus: Int]) -> String {
        let parts = ResultStatus.allCases.compactMap { status -> String? in
            guard let count = counts[status], count > 0 else { return nil }
            return "\(count) \(status.rawValue.replacingOccurrences(of: "-", with: " "))"
        }
        return parts.isEmpty ? "nothing run" : parts.joined(separator: ", ")
    }
}

/// For a person at a terminal: a summary line per target, then every unexpected result with
/// its evidence, then the recorded deviations seen.
enum TextReport {
    static func render(_ matrix: Matrix) -> String {
        var lines = ["pymemcheck: \(matrix.rows.count) clauses × \(matrix.columns.count) target modes in \(String(format: "%.1f", matrix.seconds)) s"]
        for target in matrix.targets {
            lines.append("  \(target): \(ReportRenderer.summary(matrix.counts(target: target)))")
        }
        let unexpected = matrix.unexpected
        if !unexpected.isEmpty {
            lines.append("")
            lines.append("Unexpected results:")
            for result in unexpected {
                lines.append("  \(result.status.rawValue.uppercased()) \(result.clause) [\(result.target) \(result.mode)]")
                lines += result.evidence.prefix(5).map { "      \($0)" }
            }
        }
        let deviations = matrix.results.filter { $0.status == .expectedDeviation }
        if !deviations.isEmpty {
            lines.append("")
            lines.append("Expected deviations (recorded in the catalogue): \(deviations.count)")
            for result in deviations.prefix(20) {
                lines.append("  \(result.clause) [\(result.target) \(result.mode)]: \(result.evidence.first ?? "")")
            }
        }
        if let controls = matrix.controls { lines += ControlsText.render(controls) }
        lines.append("")
        lines.append(unexpected.isEmpty ? "conforms: no unexpected result" : "does not conform: \(unexpected.count) unexpected result\(unexpected.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The negative controls, per clause: whether its planted violation made it fail everywhere
/// it was run, and where it did not.
enum ControlsText {
    static func render(_ controls: [ControlResult]) -> [String] {
        var lines = ["", "Negative controls (each clause's check with one violation planted must fail):"]
        let byClause = Dictionary(grouping: controls, by: \.clause)
        for clause in byClause.keys.sorted() {
            let runs = byClause[clause]!
            let proven = runs.filter(\.proven).count
            let mark = proven == runs.count ? "proven  " : "UNPROVEN"
            lines.append("  \(mark) \(clause): failed in \(proven) of \(runs.count) target modes under: \(runs[0].violation)")
            for run in runs where !run.proven {
                lines.append("      [\(run.target) \(run.mode)] \(run.status.rawValue): \(run.evidence.first ?? "")")
            }
        }
        let provenClauses = byClause.values.filter { $0.allSatisfy(\.proven) }.count
        lines.append("controls: \(provenClauses) of \(byClause.count) clauses proven able to fail (\(controls.filter(\.proven).count) of \(controls.count) runs)")
        return lines
    }
}

/// The stable machine form (README, "JSON"): the matrix plus per-target summaries.
enum JSONReport {
    struct Document: Encodable {
        var schema = "pymemcheck-matrix/1"
        var seconds: Double
        var summary: [String: [String: Int]]
        var unexpected: Int
        var rows: [MatrixRow]
        var columns: [MatrixColumn]
        var results: [ClauseResult]
    }

    static func render(_ matrix: Matrix) throws -> String {
        var summary: [String: [String: Int]] = [:]
        for target in matrix.targets {
            let counts = matrix.counts(target: target)
            summary[target] = Dictionary(uniqueKeysWithValues: ResultStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
        }
        let document = Document(seconds: matrix.seconds, summary: summary, unexpected: matrix.unexpected.count,
                                rows: matrix.rows, columns: matrix.columns, results: matrix.results)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}

/// For CI systems: a test suite per target and mode, a test case per clause.
enum JUnitReport {
    static func render(_ matrix: Matrix) -> String {
        var xml = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                   "<testsuites name=\"pymemcheck\" tests=\"\(matrix.results.count)\" failures=\"\(matrix.unexpected.count)\" time=\"\(matrix.seconds)\">"]
        for column in matrix.columns {
            let results = matrix.results.filter { $0.target == column.target && $0.mode == column.mode }
            let failures = results.filter(\.status.isUnexpected).count
            let skipped = results.filter { $0.status == .notApplicable }.count
            xml.append("  <testsuite name=\"\(escape(column.target)) \(escape(column.mode))\" tests=\"\(results.count)\" failures=\"\(failures)\" skipped=\"\(skipped)\">")
            for result in results {
                xml.append("    <testcase classname=\"\(escape(column.target)).\(escape(column.mode))\" name=\"\(escape(result.clause))\" time=\"\(result.seconds)\">")
                let detail = escape(result.evidence.joined(separator: "\n"))
                switch result.status {
                case .fail, .unexpectedPass:
                    xml.append("      <failure message=\"\(result.status.rawValue)\">\(detail)</failure>")
                case .notApplicable:
                    xml.append("      <skipped message=\"\(escape(result.evidence.first ?? "not applicable"))\"/>")
                case .expectedDeviation:
                    xml.append("      <system-out>expected deviation: \(detail)</system-out>")
                case .pass:
                    break
                }
                xml.append("    </testcase>")
            }
            xml.append("  </testsuite>")
        }
        xml.append("</testsuites>")
        return xml.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// For an issue or a pull request: one table per target, clauses down, modes across.
enum MarkdownReport {
    static let symbols: [ResultStatus: String] = [
        .pass: "✅", .fail: "❌", .notApplicable: "·", .expectedDeviation: "⚠️", .unexpectedPass: "❗",
    ]

    static func render(_ matrix: Matrix) -> String {
        var lines = ["# pymemcheck conformance", "",
                     "✅ pass · ❌ fail · ⚠️ expected deviation · ❗ unexpected pass · `·` not applicable", ""]
        for target in matrix.targets {
            let columns = matrix.columns.filter { $0.target == target }
            lines.append("## \(target): \(ReportRenderer.summary(matrix.counts(target: target)))")
            lines.append("")
            lines.append("| clause | " + columns.map(\.mode).joined(separator: " | ") + " |")
            lines.append("|---|" + columns.map { _ in ":-:" }.joined(separator: "|") + "|")
            for row in matrix.rows {
                let cells = columns.map { matrix.result(row.clause, $0).map { symbols[$0.status]! } ?? " " }
                lines.append("| `\(row.clause)` | " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        let unexpected = matrix.unexpected
        if !unexpected.isEmpty {
            lines.append("## Unexpected results")
            lines.append("")
            for result in unexpected {
                lines.append("- **\(result.clause)** on \(result.target) \(result.mode): \(result.evidence.joined(separator: "; "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
