import Results

extension Certificate {
    public func text() -> String {
        var lines = ["pymemcheck certificate for \(plugin)", ""]
        for result in clauses where result.status.isUnexpected {
            lines.append("FAIL \(result.clause) [\(result.target) \(result.mode)]")
            lines += Self.evidence(result.evidence)
            lines += result.reproduce.map { ["    reproduce: \($0)"] } ?? []
        }
        let counts = Dictionary(grouping: clauses, by: \.status).mapValues(\.count)
        let failed = clauses.filter(\.status.isUnexpected).count
        lines.append(
            "contract clauses: \(counts[.pass] ?? 0) pass, \(failed) fail, "
                + "\(counts[.notApplicable] ?? 0) not applicable, "
                + "\(counts[.expectedDeviation] ?? 0) expected deviation (the target's own)")
        for item in items {
            lines.append("\(item.status.rawValue.uppercased()) \(item.part) [\(item.target) \(item.mode)]")
            lines += Self.evidence(item.evidence)
            lines += item.reproduce.map { ["    reproduce: \($0)"] } ?? []
        }
        lines += notApplicable.map { "not applicable: \($0)" }
        lines.append("")
        lines.append(verdict)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Evidence lines a part shows in the text before saying how many more the JSON holds: a
    /// fuzz finding's whole input (up to 48 ops) would bury the other parts.
    static let evidenceLimit = 6

    /// A failed clause's or a part's evidence, indented, cut only with a line that says so and
    /// where the rest is.
    static func evidence(_ evidence: [String]) -> [String] {
        EvidenceText.render(evidence, indent: "    ", limit: evidenceLimit, whereAll: "--format json has them all")
    }
}
