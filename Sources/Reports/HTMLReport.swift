import Foundation
import Results

/// A self-contained page that fits a 1,366-pixel screen: a bar per target; every unexpected
/// result and recorded deviation as text, once with the target modes it covers and all of its
/// evidence; the matrix as one colour-coded table per target (clauses down, its modes across),
/// each in a section that folds and scrolls on its own, so no number of targets widens the page;
/// and the not-applicable reasons per target with their counts. A cell links to the text that
/// explains it; its tooltip only repeats what the text says.
enum HTMLReport {
    static let colours: [ResultStatus: String] = [
        .pass: "#2e7d32", .fail: "#c62828", .notApplicable: "#e0e0e0", .expectedDeviation: "#f9a825",
        .unexpectedPass: "#6a1b9a",
    ]

    /// A mark in each cell, so that a status reads without telling colours apart.
    static let marks: [ResultStatus: String] = [
        .pass: "✓", .fail: "✗", .notApplicable: "·", .expectedDeviation: "≈", .unexpectedPass: "!",
    ]

    /// Up to this many targets every matrix starts open; past it only those with an unexpected
    /// result do, and the others fold to their summary line (nine open make a 13,000 px page).
    static let openTargets = 3

    /// The page's widest content, in CSS pixels: a 1,366-pixel screen less a scroll bar and margins.
    static let maxWidth = 1_300

    static func render(_ matrix: Matrix) -> String {
        let anchors = Anchors(matrix)
        var html = [head(matrix), "<body><main>", "<h1>pymemcheck conformance matrix</h1>", meta(matrix)]
        html.append(summaryBars(matrix))
        html.append(groupsSection(matrix, anchors))
        html.append(matrices(matrix, anchors))
        html.append(notApplicableSection(matrix, anchors))
        html.append("</main></body></html>")
        return html.filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }

    static func meta(_ matrix: Matrix) -> String {
        let seconds = String(format: "%.1f", matrix.seconds)
        let unexpected = matrix.unexpected.count
        let verdict =
            unexpected == 0
            ? "<b>Conforms</b>: no unexpected result."
            : "<b class=bad>Does not conform</b>: \(counted(unexpected, "unexpected result"))."
        return "<p class=meta>\(verdict) \(matrix.rows.count) clauses × \(matrix.columns.count) target modes, "
            + "\(seconds) s.</p>"
    }

    static var legend: String {
        let keys = ResultStatus.allCases.map {
            "<span class=\"key \($0.rawValue)\" style=\"background:\(colours[$0]!)\">\(marks[$0]!)</span>\($0.words)"
        }
        return "<p class=legend>" + keys.joined(separator: " ") + "</p>"
    }

    static func head(_ matrix: Matrix) -> String {
        let title =
            !matrix.unexpected.isEmpty
            ? "\(matrix.unexpected.count) unexpected" : matrix.judged == 0 ? "nothing judged" : "conforms"
        return """
            <!DOCTYPE html><html lang=en><head><meta charset=utf-8>
            <meta name=viewport content="width=device-width, initial-scale=1">
            <title>pymemcheck: \(title)</title>
            <style>
            *{box-sizing:border-box}
            body{font:13px system-ui,sans-serif;margin:0;color:#222;background:#fff}
            main{max-width:\(maxWidth)px;margin:0 auto;padding:16px 20px}
            h1{font-size:20px;margin:.2em 0}h2{font-size:16px;margin:1.6em 0 .5em}h3{font-size:13px;margin:1em 0 .3em}
            .meta{color:#555}.bad{color:#c62828}
            .key{display:inline-block;width:16px;height:16px;margin:0 4px 0 12px;border-radius:2px;\
            text-align:center;font-size:11px;line-height:16px;color:#fff;vertical-align:middle}
            .bars{display:grid;grid-template-columns:max-content minmax(0,1fr) max-content;gap:4px 10px;\
            align-items:center;max-width:900px;margin:1em 0}
            .bar{display:flex;height:14px;border-radius:3px;overflow:hidden}
            .entry{margin:.6em 0 1em;padding-left:10px;border-left:4px solid #ccc}
            .entry.fail{border-color:#c62828}.entry.unexpected-pass{border-color:#6a1b9a}
            .entry.expected-deviation{border-color:#f9a825}
            .entry p{margin:.2em 0}.statement{color:#555}
            .where{margin:.2em 0;padding-left:1.2em}
            pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:6px 8px;margin:.3em 0;\
            font:12px ui-monospace,monospace}
            code,td.id{font-family:ui-monospace,monospace;font-size:12px}
            .targets{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:8px 28px;\
            align-items:start}
            details{min-width:0}summary{cursor:pointer;padding:4px 0;font-weight:600}
            .scroll{overflow-x:auto;max-width:100%}
            table.matrix{border-collapse:collapse}table.matrix th,table.matrix td{padding:0}
            table.matrix th{font-weight:600;font-size:11px;padding:2px 3px;white-space:nowrap}
            thead th.mode{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;vertical-align:bottom}
            td.cell{width:18px;height:18px;border:1px solid #fff;text-align:center;font-size:11px;line-height:16px}
            td.cell a{display:block;color:#fff;text-decoration:none}
            td.cell.not-applicable a,.key.not-applicable{color:#666}
            td.id{font-size:11px;padding-right:8px;white-space:nowrap}
            tr.section th{text-align:left;background:#f4f4f4;padding:4px}
            tbody tr:hover td.id{background:#fffbe0}
            .reasons{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:4px 28px}
            table.reasons{border-collapse:collapse;width:100%}table.reasons td{padding:1px 6px;vertical-align:top}
            table.reasons td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            :target{background:#fff3c4}
            </style></head>
            """
    }

    static func summaryBars(_ matrix: Matrix) -> String {
        var html = ["<div class=bars>"]
        for (index, target) in matrix.targets.enumerated() {
            let counts = matrix.counts(target: target)
            let segments = ResultStatus.allCases.compactMap { status -> String? in
                guard let count = counts[status], count > 0 else { return nil }
                return "<span style=\"flex:\(count);background:\(colours[status]!)\" "
                    + "title=\"\(count) \(status.words)\"></span>"
            }.joined()
            html.append(
                "<a href=\"#\(Anchors.target(index))\"><b>\(escape(target))</b></a><div class=bar>\(segments)</div>"
                    + "<span>\(ReportRenderer.summary(counts))</span>")
        }
        html.append("</div>")
        return html.joined(separator: "\n")
    }

    /// The unexpected results and the recorded deviations, as the text report groups them.
    static func groupsSection(_ matrix: Matrix, _ anchors: Anchors) -> String {
        var html: [String] = []
        if anchors.unexpected.isEmpty {
            html.append("<h2>No unexpected result</h2>")
        } else {
            html.append(
                "<h2>Unexpected results: \(matrix.unexpected.count), of "
                    + "\(counted(Matrix.clauseCount(anchors.unexpected), "clause"))</h2>")
            html += anchors.unexpected.enumerated().map { entry($1, id: Anchors.unexpected($0), matrix) }
        }
        if !anchors.deviations.isEmpty {
            html.append(
                "<h2>Expected deviations (recorded in the catalogue): \(matrix.counts()[.expectedDeviation] ?? 0), "
                    + "of \(counted(Matrix.clauseCount(anchors.deviations), "clause"))</h2>")
            html += anchors.deviations.enumerated().map { entry($1, id: Anchors.deviation($0), matrix) }
        }
        return html.joined(separator: "\n")
    }

    static func entry(_ group: ResultGroup, id: String, _ matrix: Matrix) -> String {
        let statement = matrix.rows.first { $0.clause == group.clause }?.statement
        let places = group.coverage.map { "<li>\(text($0))</li>" }.joined()
        let evidence = group.evidence.isEmpty ? "" : "<pre>\(text(group.evidence.joined(separator: "\n")))</pre>"
        return "<div class=\"entry \(group.status.rawValue)\" id=\(id)><p><b>\(TextReport.label(group.status))</b> "
            + "<code>\(text(group.clause))</code>"
            + (statement.map { " <span class=statement>\(text($0))</span>" } ?? "") + "</p>"
            + "<ul class=where>\(places)</ul>\(evidence)"
            + (group.reproduce.map { "<p>reproduce: <code>\(text($0))</code></p>" } ?? "") + "</div>"
    }

    static func matrices(_ matrix: Matrix, _ anchors: Anchors) -> String {
        guard !matrix.columns.isEmpty else { return "" }
        let unexpectedTargets = Set(matrix.unexpected.map(\.target))
        let opens = matrix.targets.map { matrix.targets.count <= openTargets || unexpectedTargets.contains($0) }
        var html = ["<h2>The matrix, per target</h2>", legend]
        if opens.contains(false) { html.append("<p class=meta>A folded target's table opens from its line.</p>") }
        html.append("<div class=targets>")
        for (index, (target, isOpen)) in zip(matrix.targets, opens).enumerated() {
            let summary = "\(escape(target)): \(ReportRenderer.summary(matrix.counts(target: target)))"
            html.append(
                "<details id=\(Anchors.target(index))\(isOpen ? " open" : "")><summary>\(summary)</summary>"
                    + "<div class=scroll>\(table(matrix, target: target, anchors))</div></details>")
        }
        html.append("</div>")
        return html.joined(separator: "\n")
    }

    static func table(_ matrix: Matrix, target: String, _ anchors: Anchors) -> String {
        let columns = matrix.columns.filter { $0.target == target }
        var html = ["<table class=matrix><thead><tr><th></th>"]
        html += columns.map { "<th class=mode scope=col>\(escape($0.mode))</th>" }
        html.append("</tr></thead><tbody>")
        var section = ""
        for row in matrix.rows {
            if row.section != section {
                section = row.section
                html.append("<tr class=section><th colspan=\(columns.count + 1)>\(escape(section))</th></tr>")
            }
            html.append("<tr><td class=id title=\"\(escape(row.statement))\">\(escape(row.clause))</td>")
            html += columns.map { cell(anchors.result(row.clause, $0), anchors) }
            html.append("</tr>")
        }
        html.append("</tbody></table>")
        return html.joined()
    }

    static func cell(_ result: ClauseResult?, _ anchors: Anchors) -> String {
        guard let result else { return "<td class=cell></td>" }
        var title = "\(result.clause) — \(result.target) \(result.mode): \(result.status.words)"
        if result.status == .notApplicable { title += ": " + Matrix.reason(result) }
        let mark = marks[result.status]!
        let link = anchors.anchor(of: result).map { "<a href=\"#\($0)\">\(mark)</a>" } ?? mark
        return "<td class=\"cell \(result.status.rawValue)\" style=\"background:\(colours[result.status]!)\" "
            + "title=\"\(escape(title))\">\(link)</td>"
    }

    static func notApplicableSection(_ matrix: Matrix, _ anchors: Anchors) -> String {
        let blocks = matrix.targets.enumerated().compactMap { index, target -> String? in
            let reasons = anchors.reasons[target] ?? []
            guard !reasons.isEmpty else { return nil }
            let rows = reasons.enumerated().map { number, reason in
                "<tr id=\(Anchors.reason(index, number))><td class=n>\(reason.count) ×</td> "
                    + "<td>\(text(reason.reason))</td></tr>"
            }
            let total = reasons.map(\.count).reduce(0, +)
            return "<div><h3>\(text(target)): \(total) not applicable</h3><table class=reasons>"
                + rows.joined() + "</table></div>"
        }
        guard !blocks.isEmpty else { return "" }
        return "<h2>Not applicable (the check did not run there), by reason</h2>\n<div class=reasons>\n"
            + blocks.joined(separator: "\n") + "\n</div>"
    }

    /// For an attribute value (or text where a line break may become a space).
    static func escape(_ text: String) -> String { XMLWriter.escape(text, inAttribute: true) }

    /// For text content: line breaks kept.
    static func text(_ text: String) -> String { XMLWriter.escape(text, inAttribute: false) }
}

/// The page's groups and reasons, and the anchor each cell links to: a failure or deviation to
/// its entry, a not-applicable result to its reason in its target's list.
struct Anchors {
    let unexpected: [ResultGroup]
    let deviations: [ResultGroup]
    let reasons: [String: [ReasonCount]]
    private let results: [ResultKey: ClauseResult]
    private var byResult: [ResultKey: String] = [:]
    private var byReason: [String: [String: String]] = [:]

    init(_ matrix: Matrix) {
        unexpected = matrix.groups([.fail, .unexpectedPass])
        deviations = matrix.groups([.expectedDeviation])
        reasons = Dictionary(
            uniqueKeysWithValues: matrix.targets.map { ($0, matrix.notApplicableReasons(target: $0)) })
        results = Dictionary(
            matrix.results.map { (ResultKey(clause: $0.clause, target: $0.target, mode: $0.mode), $0) },
            uniquingKeysWith: { first, _ in first })
        for (index, group) in unexpected.enumerated() { note(group, Self.unexpected(index)) }
        for (index, group) in deviations.enumerated() { note(group, Self.deviation(index)) }
        for (index, target) in matrix.targets.enumerated() {
            for (number, reason) in (reasons[target] ?? []).enumerated() {
                byReason[target, default: [:]][reason.reason] = Self.reason(index, number)
            }
        }
    }

    /// The result of `clause` in `column` (as Matrix.result, without a search per cell).
    func result(_ clause: String, _ column: MatrixColumn) -> ClauseResult? {
        results[ResultKey(clause: clause, target: column.target, mode: column.mode)]
    }

    func anchor(of result: ClauseResult) -> String? {
        if result.status == .notApplicable { return byReason[result.target]?[Matrix.reason(result)] }
        return byResult[ResultKey(clause: result.clause, target: result.target, mode: result.mode)]
    }

    static func unexpected(_ index: Int) -> String { "u\(index + 1)" }
    static func deviation(_ index: Int) -> String { "d\(index + 1)" }
    static func target(_ index: Int) -> String { "t\(index + 1)" }
    static func reason(_ target: Int, _ number: Int) -> String { "r\(target + 1)-\(number + 1)" }

    private mutating func note(_ group: ResultGroup, _ id: String) {
        for column in group.columns {
            byResult[ResultKey(clause: group.clause, target: column.target, mode: column.mode)] = id
        }
    }

    private struct ResultKey: Hashable {
        var clause: String
        var target: String
        var mode: String
    }
}
