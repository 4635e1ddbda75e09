/// Reads the fatal-error report of CPython's memory allocator debug hooks out of
/// captured stderr text (CPython 3.6 to 3.13 formats).
public enum DebugReportParser {
    /// Parses the first report found in `text`. Lines before and after it are
    /// ignored. Never traps: text that is cut off, garbled or not a report at all
    /// yields a partial result whose `missing` names what could not be read.
    public static func parse(_ text: String) -> DebugHookReport {
        let lines = StderrLines(text)
        var accumulator = ReportAccumulator()
        for (index, (raw, line)) in lines.reportLines().enumerated() {
            if accumulator.isNextReport(line) { break }
            // CPython ends every line with a newline; a report line without one was cut.
            let isCut = lines.isUnterminated(reportLineAt: index)
            let cutPart = isCut && line.isUnread ? accumulator.partCutOff(in: raw) : nil
            if let part = accumulator.consume(line) ?? cutPart, isCut {
                accumulator.markDamaged(part)
            }
        }
        var report = accumulator.report
        report.missing = accumulator.missingParts().map(\.rawValue)
        return report
    }
}
