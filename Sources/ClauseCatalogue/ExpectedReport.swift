import DebugReport
import PyRuntime

/// The debug hooks' report an expected-fatal clause must produce on the versions given: the
/// fields of the parsed report, compared one by one (not a pattern over the text).
public struct ExpectedReport: Sendable, Codable, Equatable {
    /// A field's expected value: a string, a number, a list of numbers, a flag, or null (absent).
    public typealias Value = ReportValue

    public var versions: VersionRange
    /// Field name → expected value (function, message, api_id, bad_trailing_offsets, ...).
    public var fields: [String: Value]

    /// The field names a report comparison understands; the catalogue test rejects others.
    public static let knownFields: Set<String> = [
        "function", "message", "api_id", "bytes_requested", "bad_leading_offsets", "bad_trailing_offsets",
        "runtime_state", "tracemalloc_hint", "allocation_traceback", "serial_number", "expected_pad_byte",
        "allocated_api", "verified_api", "kind", "allocation_lines",
    ]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(versions: VersionRange, fields: [String: Value]) {
        self.versions = versions
        self.fields = fields
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        versions =
            try container.decodeIfPresent(VersionRange.self, forKey: Key(stringValue: "versions")) ?? VersionRange()
        var fields: [String: Value] = [:]
        for key in container.allKeys where key.stringValue != "versions" {
            fields[key.stringValue] = try container.decode(Value.self, forKey: key)
        }
        self.fields = fields
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(versions, forKey: Key(stringValue: "versions"))
        for (name, value) in fields { try container.encode(value, forKey: Key(stringValue: name)) }
    }
}
