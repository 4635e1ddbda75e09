/// Lines written by `_PyObject_DebugDumpAddress` (Objects/obmalloc.c).
enum BlockLines {
    static let headerMarker = "Debug memory block at address p="

    /// "Debug memory block at address p=0x...: API 'm'" (the API part since 3.6).
    static func header(in line: Substring) -> ReportLine? {
        guard let marker = line.firstRange(of: headerMarker) else { return nil }
        let rest = line[marker.upperBound...].trimmingTrailingWhitespace
        guard let (address, tail) = rest.splitOnce(":") else { return nil }
        if tail.isEmpty {
            return .blockHeader(address: TextScanning.address(address), apiID: nil)
        }
        guard let id = tail.between(" API '", "'") else { return nil }
        return .blockHeader(address: TextScanning.address(address), apiID: String(id))
    }

    static func classify(_ line: Substring) -> ReportLine? {
        let line = line.trimmingTrailingWhitespace
        return bytesRequested(line)
            ?? padHeader(line)
            ?? padByte(line)
            ?? corruptionNote(line)
            ?? serialNumber(line)
            ?? data(line)
    }

    /// "16 bytes originally requested"
    private static func bytesRequested(_ line: Substring) -> ReportLine? {
        line.between("", " bytes originally requested").flatMap(TextScanning.count).map { .bytesRequested($0) }
    }

    /// "The 7 pad bytes at p-7 are ..." / "The 8 pad bytes at tail=0x... are ..."
    private static func padHeader(_ line: Substring) -> ReportLine? {
        guard let body = line.between("The ", ""),
            let (number, place) = body.splitOnce(" pad bytes at "),
            let count = TextScanning.count(number),
            let (location, verdict) = place.splitOnce(" are "),
            let state = padState(verdict, count: count)
        else { return nil }
        if location.hasPrefix("p-"), TextScanning.count(location.dropFirst(2)) != nil {
            return .padHeader(.leading, state, tail: nil)
        }
        guard let tail = location.between("tail=", ""), let address = TextScanning.address(tail) else { return nil }
        return .padHeader(.trailing, state, tail: address)
    }

    /// "FORBIDDENBYTE, as expected." or "not all FORBIDDENBYTE (0xfd):"
    private static func padState(_ verdict: Substring, count: Int) -> PadStatus? {
        if verdict == "FORBIDDENBYTE, as expected." {
            return PadStatus(count: count, intact: true)
        }
        guard let byte = verdict.between("not all FORBIDDENBYTE (", "):"),
            let expected = TextScanning.hexByte(byte)
        else { return nil }
        return PadStatus(count: count, intact: false, expectedByte: expected)
    }

    /// "at p-3: 0x00 *** OUCH" / "at tail+0: 0xfd"
    private static func padByte(_ line: Substring) -> ReportLine? {
        guard let body = line.between("at ", ""),
            let (place, valueText) = body.splitOnce(": ")
        else { return nil }
        let bad = valueText.hasSuffix(" *** OUCH")
        let value = bad ? valueText.dropLast(" *** OUCH".count) : valueText
        guard let byte = TextScanning.hexByte(value) else { return nil }
        if let distance = place.between("p-", "").flatMap(TextScanning.count) {
            return .padByte(.leading, PadByte(offset: -distance, value: byte, bad: bad))
        }
        guard let offset = place.between("tail+", "").flatMap(TextScanning.count) else { return nil }
        return .padByte(.trailing, PadByte(offset: offset, value: byte, bad: bad))
    }

    /// The two-line warning printed after a damaged leading pad.
    private static func corruptionNote(_ line: Substring) -> ReportLine? {
        let known = [
            "Because memory is corrupted at the start, the count of bytes requested",
            "may be bogus, and checking the trailing pad bytes may segfault.",
        ]
        return known.contains(String(line)) ? .corruptionNote : nil
    }

    /// "The block was made by call #N to debug malloc/realloc."
    private static func serialNumber(_ line: Substring) -> ReportLine? {
        line.between("The block was made by call #", " to debug malloc/realloc.")
            .flatMap(TextScanning.serial).map { .serialNumber($0) }
    }

    /// "Data at p: cd cd ... cd": up to eight bytes, " ...", and the last eight.
    private static func data(_ line: Substring) -> ReportLine? {
        guard let body = line.between("Data at p:", "") else { return nil }
        var bytes: [UInt8] = []
        var elided = false
        var wellFormed = true
        for token in body.split(separator: " ") {
            if token == "...", !elided {
                elided = true
            } else if let byte = TextScanning.bareHexByte(token) {
                bytes.append(byte)
            } else {
                wellFormed = false
            }
        }
        return .data(bytes: bytes, elided: elided, wellFormed: wellFormed)
    }
}
