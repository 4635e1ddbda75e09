/// Traceback lines: tracemalloc's allocation traceback (Python/tracemalloc.c)
/// and the thread dump of a fatal error (Python/traceback.c).
enum TracebackLines {
    static func classify(_ line: Substring) -> ReportLine? {
        let line = line.trimmingTrailingWhitespace
        switch line {
        case "Enable tracemalloc to get the memory block allocation traceback": return .tracemallocHint
        case "Memory block allocated at (most recent call first):": return .allocationHeader
        case "Stack (most recent call first):": return .currentThreadHeader
        case "Traceback (most recent call last):": return .exceptionTraceback
        // Placeholders such as "<no Python frame>", and "..." for a stack cut at its depth limit.
        case "...": return .frameMarker
        default: break
        }
        if line.hasPrefix("<"), line.hasSuffix(">") { return .frameMarker }
        return threadHeader(line) ?? frame(line)
    }

    /// "Current thread 0x... (most recent call first):" or "Thread 0x... (...):"
    private static func threadHeader(_ line: Substring) -> ReportLine? {
        guard line.hasSuffix(" (most recent call first):") else { return nil }
        if line.hasPrefix("Current thread ") { return .currentThreadHeader }
        if line.hasPrefix("Thread ") { return .otherThreadHeader }
        return nil
    }

    /// `File "x.py", line 12 in func` (thread dump) or `File "x.py", line 12` (tracemalloc).
    private static func frame(_ line: Substring) -> ReportLine? {
        guard let body = line.between("File \"", ""),
            let (file, position) = body.splitOnce("\", line ")
        else { return nil }
        let (lineText, function) = position.splitOnce(" in ").map { ($0.0, Optional($0.1)) } ?? (position, nil)
        guard let number = lineNumber(lineText), function?.isEmpty != true else { return nil }
        return .frame(TraceFrame(file: String(file), line: number, function: function.map(String.init)))
    }

    /// CPython prints "???" when the line number is unknown.
    private static func lineNumber(_ text: Substring) -> Int? {
        text == "???" ? -1 : TextScanning.count(text)
    }
}
