/// Builds a `DebugHookReport` from classified lines, remembering enough about
/// what it saw to judge completeness afterwards.
struct ReportAccumulator {
    /// Where list lines (pad bytes, frames) currently belong.
    private enum Section {
        case none, leadingPad, trailingPad, allocationTraceback, currentThread, otherThread, exception
    }

    private(set) var report = DebugHookReport()
    private var section = Section.none
    /// Parts whose line was seen, even if its content was unusable.
    private(set) var seen: Set<ReportPart> = []
    /// Parts seen but garbled or cut off.
    private(set) var damaged: Set<ReportPart> = []
    private(set) var allocationHeaderSeen = false
    /// A "Current thread" dump with at least one frame or placeholder, or an exception traceback.
    private(set) var currentThreadDumped = false

    /// The most recent part a line was read for.
    private(set) var lastPart: ReportPart?

    /// Whether `line` begins a second report, which ends this one.
    func isNextReport(_ line: ReportLine) -> Bool {
        switch line {
        case .blockHeader: return seen.contains(.blockHeader) || seen.contains(.fatalErrorLine)
        case .fatalError: return seen.contains(.fatalErrorLine)
        default: return false
        }
    }

    /// Adds one line; returns the part it belongs to, if any.
    mutating func consume(_ line: ReportLine) -> ReportPart? {
        let part = route(line)
        if let part { lastPart = part }
        return part
    }

    /// The part whose list (pad bytes or frames) is being read, if any.
    var openListPart: ReportPart? {
        switch section {
        case .leadingPad: return .leadingPad
        case .trailingPad: return .trailingPad
        case .allocationTraceback: return .allocationTraceback
        case .currentThread: return .currentThreadTraceback
        case .none, .otherThread, .exception: return nil
        }
    }

    /// The part that follows the last one read, in report order.
    var partAfterLastRead: ReportPart? {
        guard let lastPart else { return ReportPart.allCases.first }
        return ReportPart.allCases.first { $0 > lastPart }
    }

    private mutating func route(_ line: ReportLine) -> ReportPart? {
        switch line {
        case .padByte(let side, let byte): return addPadByte(byte, side: side)
        case .frame(let frame): return addFrame(frame)
        case .frameMarker: return addFrameMarker()
        default:
            section = .none
            return consumeSingle(line)
        }
    }

    /// Marks a part as cut off or garbled.
    mutating func markDamaged(_ part: ReportPart) {
        damaged.insert(part)
    }

    private mutating func consumeSingle(_ line: ReportLine) -> ReportPart? {
        switch line {
        case .blockHeader(let address, let apiID):
            report.blockAddress = address
            report.apiID = apiID
            return note(.blockHeader, valid: address != nil)
        case .bytesRequested(let count):
            report.bytesRequested = count
            return note(.bytesRequested)
        case .padHeader(let side, let status, let tail):
            return addPadHeader(status, side: side, tail: tail)
        case .corruptionNote:
            return .leadingPad
        case .serialNumber(let serial):
            report.serialNumber = serial
            return note(.serialNumber)
        case .data(let bytes, let elided, let wellFormed):
            report.dataBytes = bytes
            report.dataElided = elided
            return note(.data, valid: wellFormed)
        default:
            return consumeTracebackOrFatal(line)
        }
    }

    private mutating func consumeTracebackOrFatal(_ line: ReportLine) -> ReportPart? {
        switch line {
        case .tracemallocHint:
            report.tracemallocHint = true
            return .allocationTraceback
        case .allocationHeader:
            allocationHeaderSeen = true
            section = .allocationTraceback
            return note(.allocationTraceback)
        case .fatalError(let function, let message):
            report.fatalFunction = function
            report.fatalMessage = message
            return note(.fatalErrorLine)
        case .runtimeState(let state):
            report.runtimeState = state
            return note(.runtimeState)
        case .currentThreadHeader:
            section = .currentThread
            return note(.currentThreadTraceback)
        case .otherThreadHeader:
            section = .otherThread
            return nil
        case .exceptionTraceback:
            // An exception traceback replaces the thread dump when an exception is set.
            section = .exception
            currentThreadDumped = true
            return note(.currentThreadTraceback)
        case .extensionModules(let modules, let wellFormed):
            report.extensionModules = modules
            return note(.extensionModules, valid: wellFormed)
        default:
            return nil
        }
    }

    private mutating func note(_ part: ReportPart, valid: Bool = true) -> ReportPart {
        seen.insert(part)
        if !valid { damaged.insert(part) }
        return part
    }

    private mutating func addPadHeader(_ status: PadStatus, side: PadSide, tail: UInt64?) -> ReportPart {
        switch side {
        case .leading:
            report.leadingPad = status
            section = status.intact ? .none : .leadingPad
            return note(.leadingPad)
        case .trailing:
            report.trailingPad = status
            report.tailAddress = tail
            section = status.intact ? .none : .trailingPad
            return note(.trailingPad)
        }
    }

    private mutating func addPadByte(_ byte: PadByte, side: PadSide) -> ReportPart? {
        switch (section, side) {
        case (.leadingPad, .leading):
            report.leadingPad?.bytes.append(byte)
            return .leadingPad
        case (.trailingPad, .trailing):
            report.trailingPad?.bytes.append(byte)
            return .trailingPad
        default:
            section = .none
            return nil
        }
    }

    private mutating func addFrame(_ frame: TraceFrame) -> ReportPart? {
        switch section {
        case .allocationTraceback:
            report.allocationTraceback.append(frame)
            return .allocationTraceback
        case .currentThread:
            report.currentThreadFrames.append(frame)
            currentThreadDumped = true
            return .currentThreadTraceback
        case .otherThread, .exception:
            return nil
        case .none, .leadingPad, .trailingPad:
            section = .none
            return nil
        }
    }

    private mutating func addFrameMarker() -> ReportPart? {
        guard section == .currentThread else { return nil }
        currentThreadDumped = true
        return .currentThreadTraceback
    }
}
