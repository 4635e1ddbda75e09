/// Decides which parts a report should have had, given what it says about itself.
extension ReportAccumulator {
    /// CPython prints at most this many data bytes at each end of the block.
    static let dataBytesPerEnd = 8

    /// The expected parts that are absent, garbled or cut off, in report order.
    func missingParts() -> [ReportPart] {
        var missing = damaged
        if expectsBlockDump {
            missing.formUnion(missingBlockParts())
        }
        missing.formUnion(missingFatalParts())
        return missing.sorted()
    }

    /// The GIL check fails before any block exists, so its report has no dump;
    /// other errors are judged by whether a dump started.
    private var expectsBlockDump: Bool {
        report.kind?.hasBlockDump ?? seen.contains(.blockHeader)
    }

    private func missingBlockParts() -> [ReportPart] {
        guard seen.contains(.blockHeader) else { return [.blockHeader] }
        // For a NULL pointer CPython prints the header line and nothing else.
        if report.blockAddress == 0 { return [] }
        var missing: [ReportPart] = []
        if report.bytesRequested == nil { missing.append(.bytesRequested) }
        if !(report.leadingPad?.isFullyListed ?? false) { missing.append(.leadingPad) }
        if !(report.trailingPad?.isFullyListed ?? false) { missing.append(.trailingPad) }
        if !dataIsComplete { missing.append(.data) }
        if allocationHeaderSeen, report.allocationTraceback.isEmpty { missing.append(.allocationTraceback) }
        return missing
    }

    private func missingFatalParts() -> [ReportPart] {
        var missing: [ReportPart] = []
        if report.fatalMessage == nil { missing.append(.fatalErrorLine) }
        // The runtime state line came in 3.8 and the function prefix in 3.9, so a
        // prefixed message promises a state line; a 3.8 report cannot be told apart.
        if report.fatalFunction != nil, report.runtimeState == nil { missing.append(.runtimeState) }
        if !currentThreadDumped { missing.append(.currentThreadTraceback) }
        return missing
    }

    /// Whether the data line holds as many bytes as the block size says CPython printed.
    private var dataIsComplete: Bool {
        if report.bytesRequested == 0 { return true }
        guard let bytes = report.dataBytes else { return false }
        let shownWhenElided = 2 * Self.dataBytesPerEnd
        guard let size = report.bytesRequested else {
            return report.dataElided ? bytes.count == shownWhenElided : (1...shownWhenElided).contains(bytes.count)
        }
        if size > shownWhenElided {
            return report.dataElided && bytes.count == shownWhenElided
        }
        return !report.dataElided && bytes.count == size
    }
}
