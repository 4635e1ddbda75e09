import Foundation

/// A self-contained page: the matrix as a colour-coded table (clauses down, targets and their
/// modes across), a bar per target, and every unexpected result spelled out below. Hovering a
/// cell shows its evidence.
enum HTMLReport {
    static let colours: [ResultStatus: String] = [
        .pass: "#2e7d32", .fail: "#c62828", .notApplicable: "#e0e0e0", .expectedDeviation: "#f9a825",
        .unexpectedPass: "#6a1b9a",
    ]

    static func render(_ matrix: Matrix) -> String {
        let seconds = String(format: "%.1f", matrix.seconds)
        let meta =
            "<p class=meta>\(matrix.rows.count) clauses × \(matrix.columns.count) target modes, "
            + "\(seconds) s. \(legend)</p>"
        var html = [head(matrix), "<body>", "<h1>pymemcheck conformance matrix</h1>", meta]
        html.append(summaryBars(matrix))
        html.append(table(matrix))
        html.append(unexpectedList(matrix))
        html.append("</body></html>")
        return html.joined(separator: "\n") + "\n"
    }

    static var legend: String {
        ResultStatus.allCases.map { "<span class=key style=\"background:\(colours[$0]!)\"></span>\($0.rawValue)" }
            .joined(separator: " ")
    }

    static func head(_ matrix: Matrix) -> String {
        let title =
            !matrix.unexpected.isEmpty
            ? "\(matrix.unexpected.count) unexpected" : matrix.judged == 0 ? "nothing judged" : "conforms"
        return """
            <!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>pymemcheck: \(title)</title>
            <style>
            body{font:13px system-ui,sans-serif;margin:1.5em;color:#222}
            h1{font-size:20px}.meta{color:#555}
            .key{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px;border-radius:2px}
            .bars{display:grid;grid-template-columns:max-content 1fr max-content;gap:4px 10px;\
            align-items:center;max-width:900px;margin:1em 0}
            .bar{display:flex;height:14px;border-radius:3px;overflow:hidden}
            table{border-collapse:collapse}th,td{padding:0}
            th{font-weight:600;font-size:11px;padding:2px 4px;white-space:nowrap}
            thead th.mode{writing-mode:vertical-rl;transform:rotate(180deg);height:90px;vertical-align:bottom}
            td.cell{width:16px;height:16px;border:1px solid #fff}
            td.id{font-family:ui-monospace,monospace;font-size:11px;padding-right:8px;white-space:nowrap}
            tr.section th{text-align:left;background:#f4f4f4;padding:4px}
            tbody tr:hover td.id{background:#fffbe0}
            .target{border-left:2px solid #999}
            ul.unexpected li{margin:.3em 0}code{font-size:12px}
            </style></head>
            """
    }

    static func summaryBars(_ matrix: Matrix) -> String {
        var html = ["<div class=bars>"]
        for target in matrix.targets {
            let counts = matrix.counts(target: target)
            let total = max(1, counts.values.reduce(0, +))
            let segments = ResultStatus.allCases.compactMap { status -> String? in
                guard let count = counts[status], count > 0 else { return nil }
                return "<span style=\"flex:\(count);background:\(colours[status]!)\" "
                    + "title=\"\(count) \(status.rawValue)\"></span>"
            }.joined()
            let applicable = total - (counts[.notApplicable] ?? 0)
            html.append(
                "<b>\(escape(target))</b><div class=bar>\(segments)</div>"
                    + "<span>\(counts[.pass] ?? 0)/\(applicable) pass</span>")
        }
        html.append("</div>")
        return html.joined(separator: "\n")
    }

    static func table(_ matrix: Matrix) -> String {
        let targets = matrix.targets
        var html = ["<table><thead><tr><th></th>"]
        for target in targets {
            let span = matrix.columns.filter { $0.target == target }.count
            html.append("<th class=target colspan=\(span)>\(escape(target))</th>")
        }
        html.append("</tr><tr><th></th>")
        for column in matrix.columns {
            let first = matrix.columns.first { $0.target == column.target } == column
            html.append("<th class=\"mode\(first ? " target" : "")\">\(escape(column.mode))</th>")
        }
        html.append("</tr></thead><tbody>")
        var section = ""
        for row in matrix.rows {
            if row.section != section {
                section = row.section
                html.append("<tr class=section><th colspan=\(matrix.columns.count + 1)>\(escape(section))</th></tr>")
            }
            html.append("<tr><td class=id title=\"\(escape(row.statement))\">\(escape(row.clause))</td>")
            for column in matrix.columns { html.append(cell(matrix.result(row.clause, column))) }
            html.append("</tr>")
        }
        html.append("</tbody></table>")
        return html.joined()
    }

    static func cell(_ result: ClauseResult?) -> String {
        guard let result else { return "<td class=cell></td>" }
        let title =
            "\(result.clause) — \(result.target) \(result.mode): \(result.status.rawValue)"
            + (result.evidence.isEmpty ? "" : "\n" + result.evidence.joined(separator: "\n"))
        return "<td class=cell style=\"background:\(colours[result.status]!)\" title=\"\(escape(title))\"></td>"
    }

    static func unexpectedList(_ matrix: Matrix) -> String {
        let unexpected = matrix.unexpected
        guard !unexpected.isEmpty else { return "<p><b>No unexpected result.</b></p>" }
        let items = unexpected.map { result in
            "<li><code>\(escape(result.clause))</code> on \(escape(result.target)) \(escape(result.mode)) — "
                + "\(result.status.rawValue): \(escape(result.evidence.joined(separator: "; ")))</li>"
        }
        return "<h2>Unexpected results (\(unexpected.count))</h2><ul class=unexpected>" + items.joined() + "</ul>"
    }

    static func escape(_ text: String) -> String { XMLWriter.escape(text, inAttribute: true) }
}
