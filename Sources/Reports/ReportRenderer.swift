import Foundation
import Results

public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, junit, markdown, html
}

public enum ReportRenderer {
    /// `matrix` in `format`. `verbose` (text only) adds every result per target and mode and
    /// all of each evidence; the other formats hold all of it anyway.
    public static func render(_ matrix: Matrix, as format: ReportFormat, verbose: Bool = false) throws -> String {
        switch format {
        case .text: return TextReport.render(matrix, verbose: verbose)
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
