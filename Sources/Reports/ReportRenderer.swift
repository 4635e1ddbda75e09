import Foundation

public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, junit, markdown, html
}

public enum ReportRenderer {
    public static func render(_ matrix: Matrix, as format: ReportFormat) throws -> String {
        switch format {
        case .text: return TextReport.render(matrix)
        case .json: return try DocumentJSON.render(MatrixDocument(matrix))
        case .junit: return JUnitReport.render(matrix)
        case .markdown: return MarkdownReport.render(matrix)
        case .html: return HTMLReport.render(matrix)
        }
    }

    /// "12 pass, 1 fail, 3 not applicable" in a fixed order, zero counts left out.
    static func summary(_ counts: [ResultStatus: Int]) -> String {
        let parts = ResultStatus.allCases.compactMap { status -> String? in
            guard let count = counts[status], count > 0 else { return nil }
            return "\(count) \(status.words)"
        }
        return parts.isEmpty ? "nothing run" : parts.joined(separator: ", ")
    }

    /// A titled block after a blank line, or nothing when it has no lines.
    static func section(_ title: String, _ lines: [String]) -> [String] {
        lines.isEmpty ? [] : ["", title] + lines
    }
}

extension ResultStatus {
    /// The status as words: "not applicable".
    var words: String { rawValue.replacingOccurrences(of: "-", with: " ") }
}

/// For a person at a terminal: a summary line per target, then every unexpected result with
/// its evidence, then the recorded deviations seen.
enum TextReport {
    static func render(_ matrix: Matrix) -> String {
        var lines = [
            "pymemcheck: \(matrix.rows.count) clauses × \(matrix.columns.count) target modes in "
                + String(format: "%.1f", matrix.seconds) + " s"
        ]
        lines += matrix.targets.map { "  \($0): \(ReportRenderer.summary(matrix.counts(target: $0)))" }
        let unexpected = matrix.unexpected
        lines += ReportRenderer.section(
            "Unexpected results:",
            unexpected.flatMap { result in
                ["  \(result.status.rawValue.uppercased()) \(result.clause) [\(result.target) \(result.mode)]"]
                    + result.evidence.prefix(5).map { "      \($0)" }
            })
        let deviations = matrix.results.filter { $0.status == .expectedDeviation }
        lines += ReportRenderer.section(
            "Expected deviations (recorded in the catalogue): \(deviations.count)",
            deviations.prefix(20).map {
                "  \($0.clause) [\($0.target) \($0.mode)]: \($0.evidence.first ?? "")"
            })
        if let controls = matrix.controls { lines += ControlsText.render(controls) }
        lines.append("")
        lines.append(
            !unexpected.isEmpty
                ? "does not conform: \(counted(unexpected.count, "unexpected result"))"
                : matrix.judged == 0
                    ? "nothing could be judged: every result is not applicable"
                    : "conforms: no unexpected result")
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
            lines.append(
                "  \(mark) \(clause): failed in \(proven) of \(runs.count) target modes "
                    + "under: \(runs[0].violation)")
            for run in runs where !run.proven {
                lines.append("      [\(run.target) \(run.mode)] \(run.status.rawValue): \(run.evidence.first ?? "")")
            }
        }
        let provenClauses = byClause.values.filter { $0.allSatisfy(\.proven) }.count
        lines.append(
            "controls: \(provenClauses) of \(byClause.count) clauses proven able to fail "
                + "(\(controls.filter(\.proven).count) of \(controls.count) runs)")
        return lines
    }
}

/// The matrix's stable machine form (README, "JSON"): the matrix plus per-target summaries.
/// Its schema tag is what verdict comparisons key on: it changes only with the format.
struct MatrixDocument: Codable {
    var schema = "pymemcheck-matrix/1"
    var seconds: Double
    var summary: [String: [String: Int]]
    var unexpected: Int
    var rows: [MatrixRow]
    var columns: [MatrixColumn]
    var results: [ClauseResult]

    init(_ matrix: Matrix) {
        seconds = matrix.seconds
        summary = Dictionary(
            uniqueKeysWithValues: matrix.targets.map { target in
                let counts = matrix.counts(target: target)
                let byStatus = ResultStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }
                return (target, Dictionary(uniqueKeysWithValues: byStatus))
            })
        unexpected = matrix.unexpected.count
        rows = matrix.rows
        columns = matrix.columns
        results = matrix.results
    }
}

/// For an issue or a pull request: one table per target, clauses down, modes across.
enum MarkdownReport {
    static let symbols: [ResultStatus: String] = [
        .pass: "✅", .fail: "❌", .notApplicable: "·", .expectedDeviation: "⚠️", .unexpectedPass: "❗",
    ]

    static func render(_ matrix: Matrix) -> String {
        let legend = "✅ pass · ❌ fail · ⚠️ expected deviation · ❗ unexpected pass · `·` not applicable"
        var lines = ["# pymemcheck conformance", "", legend, ""]
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
        let unexpected = matrix.unexpected.map {
            "- **\($0.clause)** on \($0.target) \($0.mode): \($0.evidence.joined(separator: "; "))"
        }
        if !unexpected.isEmpty { lines += ["## Unexpected results", ""] + unexpected }
        return lines.joined(separator: "\n") + "\n"
    }
}
