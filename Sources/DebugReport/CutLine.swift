/// Attributes an unterminated, unrecognised final line to the part it was the
/// start of. CPython ends every line with a newline, so such a line was cut off
/// while being written; comparing its beginning with the openings of known lines
/// tells which part was lost.
enum CutLine {
    /// What a known line opening belongs to.
    enum Owner: Equatable {
        case part(ReportPart)
        /// A traceback frame or placeholder: belongs to whichever list is open.
        case frame
        /// Another thread's dump header: the current thread's dump may follow it.
        case otherThread
    }

    /// Line openings with digit runs written as a single "0" (see `canonical`).
    static let openings: [(String, Owner)] = [
        ("Debug memory block at address p=", .part(.blockHeader)),
        ("0 bytes originally requested", .part(.bytesRequested)),
        ("The 0 pad bytes at p-", .part(.leadingPad)),
        ("at p-", .part(.leadingPad)),
        ("Because memory is corrupted at the start", .part(.leadingPad)),
        ("may be bogus, and checking the trailing pad", .part(.leadingPad)),
        ("The 0 pad bytes at tail=", .part(.trailingPad)),
        ("at tail+", .part(.trailingPad)),
        ("The block was made by call #", .part(.serialNumber)),
        ("Data at p:", .part(.data)),
        ("Enable tracemalloc to get", .part(.allocationTraceback)),
        ("Memory block allocated at", .part(.allocationTraceback)),
        ("Fatal Python error: ", .part(.fatalErrorLine)),
        ("Python runtime state: ", .part(.runtimeState)),
        ("Current thread ", .part(.currentThreadTraceback)),
        ("Stack (most recent call first):", .part(.currentThreadTraceback)),
        ("Traceback (most recent call last):", .part(.currentThreadTraceback)),
        ("Thread ", .otherThread),
        ("File \"", .frame),
        ("<", .frame),
        ("...", .frame),
        ("Extension modules: ", .part(.extensionModules)),
    ]

    /// The owners whose opening agrees with `line` as far as both go; empty for
    /// lines that cannot be the start of a report line (noise).
    static func owners(of line: Substring) -> [Owner] {
        let text = canonical(line.trimmingLeadingSpaces)
        var owners: [Owner] = []
        for (opening, owner) in openings where text.hasPrefix(opening) || opening.hasPrefix(text) {
            if !owners.contains(owner) { owners.append(owner) }
        }
        return owners
    }

    /// Collapses every run of decimal digits to "0", so that "The 8 pad bytes"
    /// and "The 7 pad bytes" share one opening.
    static func canonical(_ text: Substring) -> String {
        var result = ""
        var inDigits = false
        for character in text {
            if character.isASCIIDigit {
                if !inDigits { result.append("0") }
                inDigits = true
            } else {
                result.append(character)
                inDigits = false
            }
        }
        return result
    }
}

extension ReportAccumulator {
    /// The part an unrecognised, cut-off final line most likely belonged to.
    func partCutOff(in line: Substring) -> ReportPart? {
        let owners = CutLine.owners(of: line)
        guard !owners.isEmpty else { return nil }
        if owners.count == 1 {
            return resolve(owners[0])
        }
        // Too little text to tell the line apart: blame the list being written,
        // or else the part that comes after the last one read.
        return openListPart ?? partAfterLastRead
    }

    private func resolve(_ owner: CutLine.Owner) -> ReportPart? {
        switch owner {
        case .part(let part): return part
        case .frame: return openListPart
        case .otherThread: return currentThreadDumped ? nil : .currentThreadTraceback
        }
    }
}
