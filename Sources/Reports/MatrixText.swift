import Foundation
import Results

/// For a person at a terminal: a summary line per target, then every unexpected result and
/// every recorded deviation seen, each once with the target modes it covers, then why the
/// checks that did not run did not, by reason. `verbose` adds every result per target and mode
/// and prints all of each evidence.
enum TextReport {
    /// Evidence lines a grouped entry shows before saying how many more there are.
    static let evidenceLimit = 8

    static func render(_ matrix: Matrix, verbose: Bool = false) -> String {
        var lines = [
            "pymemcheck: \(matrix.rows.count) clauses × \(matrix.columns.count) target modes in "
                + String(format: "%.1f", matrix.seconds) + " s"
        ]
        lines += matrix.targets.map { "  \($0): \(ReportRenderer.summary(matrix.counts(target: $0)))" }
        let limit = verbose ? nil : evidenceLimit
        let unexpected = matrix.groups([.fail, .unexpectedPass])
        lines += ReportRenderer.section(
            "Unexpected results: \(matrix.unexpected.count), of \(counted(Matrix.clauseCount(unexpected), "clause"))",
            unexpected.flatMap { group(entry: "\(label($0.status)) \($0.clause)", $0, limit: limit) })
        let deviations = matrix.groups([.expectedDeviation])
        lines += ReportRenderer.section(
            "Expected deviations (recorded in the catalogue): \(matrix.counts()[.expectedDeviation] ?? 0), of "
                + counted(Matrix.clauseCount(deviations), "clause"),
            deviations.flatMap { group(entry: $0.clause, $0, limit: limit) })
        lines += ReportRenderer.section(
            "Not applicable (the check did not run there), by reason:", notApplicable(matrix))
        if verbose { lines += ReportRenderer.section("Every result, per target and mode:", everyResult(matrix)) }
        if let controls = matrix.controls { lines += ControlsText.render(controls) }
        lines.append("")
        lines.append(
            !matrix.unexpected.isEmpty
                ? "does not conform: \(counted(matrix.unexpected.count, "unexpected result"))"
                : matrix.judged == 0
                    ? "nothing could be judged: every result is not applicable"
                    : "conforms: no unexpected result")
        return lines.joined(separator: "\n") + "\n"
    }

    /// An entry, where it was seen (a line per target, or per targets seen in the same modes)
    /// and its evidence, under aligned labels.
    static func group(entry: String, _ group: ResultGroup, limit: Int?) -> [String] {
        let whereLines = group.coverage.enumerated().map { ($0 == 0 ? "    where:    " : "              ") + $1 }
        let evidence = EvidenceText.render(
            group.evidence, first: "    evidence: ", rest: "              ", limit: limit,
            whereAll: "--verbose or --format json shows them all")
        let reproduce = group.reproduce.map { ["    reproduce: \($0)"] } ?? []
        return ["  \(entry)"] + whereLines + evidence + reproduce
    }

    /// Per target, its not-applicable count and each reason with its count.
    static func notApplicable(_ matrix: Matrix) -> [String] {
        matrix.targets.flatMap { target -> [String] in
            let reasons = matrix.notApplicableReasons(target: target)
            guard !reasons.isEmpty else { return [] }
            let total = reasons.map(\.count).reduce(0, +)
            let width = String(reasons.map(\.count).max()!).count
            return ["  \(target): \(total) not applicable"]
                + reasons.map { "    \(padded($0.count, width)) × \($0.reason)" }
        }
    }

    /// Each target mode's results, clause by clause, with all of their evidence.
    static func everyResult(_ matrix: Matrix) -> [String] {
        let byColumn = Dictionary(grouping: matrix.resultsInOrder) { MatrixColumn(target: $0.target, mode: $0.mode) }
        return matrix.columns.flatMap { column -> [String] in
            let results = byColumn[column] ?? []
            let counts = Dictionary(grouping: results, by: \.status).mapValues(\.count)
            return ["  \(column.target) \(column.mode): \(ReportRenderer.summary(counts))"]
                + results.flatMap { result in
                    let status = label(result.status).padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                    return ["    \(status)\(result.clause)"] + EvidenceText.render(result.evidence, indent: "        ")
                }
        }
    }

    /// The status column of the verbose list: the longest label, "expected deviation", and a space.
    static let labelWidth = 19

    /// A status as an entry shows it: what makes a run fail in capitals ("FAIL").
    static func label(_ status: ResultStatus) -> String {
        status.isUnexpected ? status.words.uppercased() : status.words
    }

    private static func padded(_ number: Int, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - String(number).count)) + String(number)
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
