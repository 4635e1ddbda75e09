/// A CPython version, as printed by Py_GetVersion() ("3.11.7 (main, ...") or typed by a user ("3.11").
public struct PythonVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var micro: Int

    public init(_ major: Int, _ minor: Int, _ micro: Int = 0) {
        self.major = major
        self.minor = minor
        self.micro = micro
    }

    /// Parses the leading "X.Y[.Z]" of a string; a release tag such as "3.13.0rc1" keeps its numbers.
    public init?(parsing text: String) {
        let head = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let parts = head.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 3,
            let major = Int(parts[0]), let minor = Int(parts[1].prefix { $0.isNumber })
        else { return nil }
        let micro = parts.count == 3 ? Int(parts[2].prefix { $0.isNumber }) : 0
        guard let micro else { return nil }
        self.init(major, minor, micro)
    }

    public var description: String { "\(major).\(minor).\(micro)" }

    // JSON carries a version as its string, "3.11.7".
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = PythonVersion(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a version: \(text)"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
    /// "3.11": the series a clause or a mode is usually stated for.
    public var series: String { "\(major).\(minor)" }

    public static func < (lhs: PythonVersion, rhs: PythonVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.micro) < (rhs.major, rhs.minor, rhs.micro)
    }

    /// The debug hooks' byte patterns: 0xCB/0xDB/0xFB became 0xCD/0xDD/0xFD. The documents date
    /// the change to 3.8, but the 3.7 branch took it too (measured on 3.7.16), so the runtime
    /// model follows the builds; the catalogue records the 3.7 deviation from the text.
    public var debugBytes: DebugFillBytes { self >= PythonVersion(3, 7) ? .current : .legacy }
}

extension PythonVersion {
    /// Whether Py_InitializeEx sets the allocators up again, dropping any installed between
    /// pre-initialisation and it (the 3.7 series): no plugin or reproducer layer survives.
    public var dropsAllocatorsSetBeforeInitialisation: Bool { major == 3 && minor == 7 }

    /// The bytes the debug hooks add to each request: size and API id before the data, pads on
    /// both sides (3 × S), plus the serial number after the tail pad where PYMEM_DEBUG_SERIALNO
    /// is defined (3.6 and 3.7 builds: 4 × S).
    public var debugHookOverhead: Int {
        (self < PythonVersion(3, 8) ? 4 : 3) * MemoryLayout<Int>.size
    }
}
