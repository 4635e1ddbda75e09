/// Evidence as a person reads it in a terminal: each entry's own line breaks kept and indented
/// with the rest (a child's stderr is several lines), and, where a cap keeps a summary short, a
/// last line that says how many lines were left out and where all of them are. Never a silent cut.
enum EvidenceText {
    /// The printed lines of `evidence`: one per entry, or more where an entry holds line breaks.
    static func lines(_ evidence: [String]) -> [String] {
        evidence.flatMap { entry in
            entry.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        }
    }

    /// `evidence` under a label: the first line after `first`, the others after `rest`; past
    /// `limit` lines (nil: no limit) one line counts the rest and names `whereAll`.
    static func render(
        _ evidence: [String], first: String, rest: String, limit: Int? = nil, whereAll: String = ""
    ) -> [String] {
        let all = lines(evidence)
        // One line over the limit is shown rather than a line that counts it.
        let shown = limit.map { all.count > $0 + 1 ? Array(all.prefix($0)) : all } ?? all
        var printed = shown.enumerated().map { index, line in
            let prefix = index == 0 ? first : rest
            return line.isEmpty ? trimmed(prefix) : prefix + line
        }
        if shown.count < all.count {
            let omitted = all.count - shown.count
            printed.append(rest + "… \(counted(omitted, "more line")) (\(whereAll))")
        }
        return printed
    }

    /// `evidence` indented by `indent`, every line.
    static func render(_ evidence: [String], indent: String, limit: Int? = nil, whereAll: String = "") -> [String] {
        render(evidence, first: indent, rest: indent, limit: limit, whereAll: whereAll)
    }

    /// A prefix with no trailing blanks, for an empty line of evidence.
    private static func trimmed(_ prefix: String) -> String {
        String(prefix.reversed().drop { $0 == " " }.reversed())
    }
}
