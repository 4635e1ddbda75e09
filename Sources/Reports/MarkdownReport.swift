import Results

/// For an issue or a pull request: one table per target, clauses down, modes across; then, as
/// in the text, every unexpected result and recorded deviation once with the target modes it
/// covers and all of its evidence (verbatim, in a code block), and the not-applicable reasons
/// per target with their counts.
enum MarkdownReport {
    static let symbols: [ResultStatus: String] = [
        .pass: "✅", .fail: "❌", .notApplicable: "·", .expectedDeviation: "⚠️", .unexpectedPass: "❗",
    ]

    static func render(_ matrix: Matrix) -> String {
        let legend = "✅ pass · ❌ fail · ⚠️ expected deviation · ❗ unexpected pass · `·` not applicable"
        var lines = ["# pymemcheck conformance", "", legend, ""]
        for target in matrix.targets { lines += table(matrix, target: target) }
        let unexpected = matrix.groups([.fail, .unexpectedPass])
        if !unexpected.isEmpty {
            lines += ["## Unexpected results: \(matrix.unexpected.count), of \(clauses(unexpected))", ""]
            lines += unexpected.flatMap(entry)
        }
        let deviations = matrix.groups([.expectedDeviation])
        if !deviations.isEmpty {
            let count = matrix.counts()[.expectedDeviation] ?? 0
            lines += ["## Expected deviations (recorded in the catalogue): \(count), of \(clauses(deviations))", ""]
            lines += deviations.flatMap(entry)
        }
        lines += notApplicable(matrix)
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(_ matrix: Matrix, target: String) -> [String] {
        let columns = matrix.columns.filter { $0.target == target }
        var lines = ["## \(target): \(ReportRenderer.summary(matrix.counts(target: target)))", ""]
        lines.append("| clause | " + columns.map(\.mode).joined(separator: " | ") + " |")
        lines.append("|---|" + columns.map { _ in ":-:" }.joined(separator: "|") + "|")
        for row in matrix.rows {
            let cells = columns.map { matrix.result(row.clause, $0).map { symbols[$0.status]! } ?? " " }
            lines.append("| `\(row.clause)` | " + cells.joined(separator: " | ") + " |")
        }
        return lines + [""]
    }

    /// A group: its clause and status, where it was seen, and its evidence as it is.
    static func entry(_ group: ResultGroup) -> [String] {
        let heading = "\(symbols[group.status]!) \(code(group.clause)) — \(group.status.words)"
        var lines = ["**\(heading)** on " + group.coverage.joined(separator: "; "), ""]
        if !group.evidence.isEmpty { lines += fenced(EvidenceText.lines(group.evidence)) + [""] }
        if let reproduce = group.reproduce { lines += ["reproduce: `\(reproduce)`", ""] }
        return lines
    }

    static func notApplicable(_ matrix: Matrix) -> [String] {
        let perTarget = matrix.targets.flatMap { target -> [String] in
            let reasons = matrix.notApplicableReasons(target: target)
            guard !reasons.isEmpty else { return [] }
            let total = reasons.map(\.count).reduce(0, +)
            return ["**\(target)**: \(total) not applicable", ""]
                + reasons.map { "- \($0.count) × \(plain($0.reason))" } + [""]
        }
        return perTarget.isEmpty ? [] : ["## Not applicable (the check did not run there), by reason", ""] + perTarget
    }

    /// A code block whose fence no line of the text can close: one backtick longer than its
    /// longest run of backticks, and at least three.
    static func fenced(_ lines: [String]) -> [String] {
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(lines.joined()) + 1))
        return [fence + "text"] + lines + [fence]
    }

    /// `text` as inline code, however many backticks it holds.
    static func code(_ text: String) -> String {
        let fence = String(repeating: "`", count: longestBacktickRun(text) + 1)
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + pad + text + pad + fence
    }

    /// `text` with the characters Markdown would read as markup (or HTML) escaped.
    static func plain(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\`*[]<>#|~".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    private static func clauses(_ groups: [ResultGroup]) -> String {
        counted(Matrix.clauseCount(groups), "clause")
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
