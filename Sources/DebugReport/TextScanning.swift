/// Small, non-trapping number readers for the exact spellings CPython prints.
enum TextScanning {
    /// "0x7f3a..." as printed by `%p`; glibc prints a NULL pointer as "(nil)".
    static func address(_ text: Substring) -> UInt64? {
        if text == "(nil)" { return 0 }
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        return hexadecimal(text.dropFirst(2), maxDigits: 16)
    }

    /// "0x78" as printed by `0x%02x`.
    static func hexByte(_ text: Substring) -> UInt8? {
        guard text.hasPrefix("0x") else { return nil }
        return hexadecimal(text.dropFirst(2), maxDigits: 2).map { UInt8(truncatingIfNeeded: $0) }
    }

    /// "cd" as printed by ` %02x` in the data dump.
    static func bareHexByte(_ text: Substring) -> UInt8? {
        guard text.count == 2 else { return nil }
        return hexadecimal(text, maxDigits: 2).map { UInt8(truncatingIfNeeded: $0) }
    }

    /// A non-negative decimal; nil for signs, other characters or overflow.
    static func count(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }

    static func serial(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return UInt64(text)
    }

    /// Rejects empty and over-long digit runs up front so the conversion cannot overflow.
    private static func hexadecimal(_ digits: Substring, maxDigits: Int) -> UInt64? {
        guard !digits.isEmpty, digits.count <= maxDigits,
            digits.allSatisfy(\.isHexDigit), digits.allSatisfy(\.isASCII)
        else { return nil }
        return UInt64(digits, radix: 16)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension Substring {
    /// The text between `prefix` and `suffix`, when the string is exactly that shape.
    func between(_ prefix: String, _ suffix: String) -> Substring? {
        guard hasPrefix(prefix), hasSuffix(suffix), count >= prefix.count + suffix.count else { return nil }
        return dropFirst(prefix.count).dropLast(suffix.count)
    }

    /// Splits once at the first occurrence of `separator`.
    func splitOnce(_ separator: String) -> (Substring, Substring)? {
        guard let range = firstRange(of: separator) else { return nil }
        return (self[startIndex..<range.lowerBound], self[range.upperBound...])
    }

    var trimmingLeadingSpaces: Substring {
        drop { $0 == " " || $0 == "\t" }
    }

    var trimmingTrailingWhitespace: Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
