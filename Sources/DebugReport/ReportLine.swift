/// Which guard pad a line talks about.
enum PadSide: Sendable {
    case leading, trailing
}

/// One stderr line, recognised as a piece of a debug-hook report.
///
/// Recognition is strict: a line that is not exactly in CPython's spelling is
/// `.unrecognized`, so that garbled or cut-off lines never pass for data.
enum ReportLine: Equatable {
    case blockHeader(address: UInt64?, apiID: String?)
    case bytesRequested(Int)
    case padHeader(PadSide, PadStatus, tail: UInt64?)
    case padByte(PadSide, PadByte)
    case corruptionNote
    case serialNumber(UInt64)
    case data(bytes: [UInt8], elided: Bool, wellFormed: Bool)
    case tracemallocHint
    case allocationHeader
    case frame(TraceFrame)
    case frameMarker
    case fatalError(function: String?, message: String)
    case runtimeState(String)
    case currentThreadHeader
    case otherThreadHeader
    case exceptionTraceback
    case extensionModules([String], wellFormed: Bool)
    case blank
    case unrecognized

    static func classify(_ raw: Substring) -> ReportLine {
        // These two may follow unterminated output of the same process on one line.
        if let header = BlockLines.header(in: raw) { return header }
        if let fatal = FatalLines.fatalError(in: raw) { return fatal }
        let line = raw.trimmingLeadingSpaces
        if line.allSatisfy(\.isWhitespace) { return .blank }
        return BlockLines.classify(line)
            ?? TracebackLines.classify(line)
            ?? FatalLines.classify(line)
            ?? .unrecognized
    }

    /// Lines that carry nothing of the report by themselves; when cut off they
    /// may be the start of a report line (even leading spaces are).
    var isUnread: Bool {
        self == .unrecognized || self == .blank
    }
}
