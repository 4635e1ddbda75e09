/// Stderr text split into lines, positioned at the start of the report.
struct StderrLines {
    private let lines: [Substring]
    private let lastLineUnterminated: Bool
    private let start: Int?

    init(_ text: String) {
        // "\r\n" is a single Character, so CRLF captures split the same way.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        // A final newline leaves an empty element that is not a line of its own.
        lastLineUnterminated = !(lines.last?.isEmpty ?? true)
        if !lastLineUnterminated { lines.removeLast() }
        self.lines = lines
        start =
            StderrLines.reportStart(in: self.lines)
            ?? (lastLineUnterminated ? StderrLines.cutReportStart(in: self.lines) : nil)
    }

    /// The lines, raw and classified, from the start of the report on; empty when none is found.
    func reportLines() -> LazyMapSequence<ArraySlice<Substring>, (Substring, ReportLine)> {
        let from = start ?? lines.endIndex
        return lines[from...].lazy.map { ($0, ReportLine.classify($0)) }
    }

    func isUnterminated(reportLineAt index: Int) -> Bool {
        guard let start else { return false }
        return lastLineUnterminated && start + index == lines.count - 1
    }

    /// A report starts with its block dump, or with the fatal error line when it
    /// has none (the GIL check) or the dump was lost.
    private static func reportStart(in lines: [Substring]) -> Int? {
        lines.firstIndex { BlockLines.header(in: $0) != nil || FatalLines.fatalError(in: $0) != nil }
    }

    /// A report cut off inside its first line still starts there.
    private static func cutReportStart(in lines: [Substring]) -> Int? {
        guard let last = lines.last, !last.allSatisfy(\.isWhitespace) else { return nil }
        let owners = CutLine.owners(of: last)
        let opensReport = owners.contains(.part(.blockHeader)) || owners.contains(.part(.fatalErrorLine))
        return opensReport ? lines.count - 1 : nil
    }
}
