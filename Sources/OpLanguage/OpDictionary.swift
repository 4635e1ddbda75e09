import Vocabulary

/// The libFuzzer dictionary of the byte form (Fuzz/ops.dict, shared by every fuzz target):
/// the version byte, every opcode in every domain, the `on` op with each place, and the byte
/// codes of the boundary sizes that matter. Derived from the byte form itself, so that a new
/// op kind or size code is in the dictionary as soon as it is in the language; a test checks
/// the committed file against it.
public enum OpDictionary {
    /// The dictionary's text, one `name="\xNN..."` entry per line.
    public static var text: String {
        var lines = [
            "# pymemcheck op language v\(ByteForm.version): the version byte, opcodes and boundary size codes "
                + "(Fuzz/FORMAT.md)"
        ]
        lines.append(entry("version", [ByteForm.version]))
        for kind in ByteForm.Kind.allCases where kind != .on {
            for domain in AllocatorDomain.allCases {
                lines.append(entry("\(kind.dictionaryName)_\(domain.name)", [ByteForm.opcode(kind, domain)]))
            }
        }
        for place in Place.allCases {
            lines.append(entry("on_\(place.name)", [ByteForm.opcode(.on), place.rawValue]))
        }
        for (name, bytes) in namedSizes {
            // Every named size has a code: the boundaries are the language's (Size.boundaries).
            lines.append(entry("size_\(name)", [try! ByteForm.sizeByte(Size(bytes))]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The sizes whose codes a mutation should find: pymalloc's threshold, the arena sizes, the
    /// sizes that must fail, and zero.
    static let namedSizes: [(String, UInt)] = [
        ("512", 512), ("513", 513), ("arena_256k", 262_144), ("arena_1m", 1_048_576),
        ("ssize_max", UInt(Int.max)), ("ssize_max_plus_1", UInt(Int.max) + 1), ("size_max", UInt.max), ("zero", 0),
    ]

    static func entry(_ name: String, _ bytes: [UInt8]) -> String {
        let hex = bytes.map { byte in "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        return "\(name)=\"\(hex)\""
    }
}

extension ByteForm.Kind {
    /// The op's name in the dictionary.
    var dictionaryName: String {
        switch self {
        case .malloc: return "malloc"
        case .calloc: return "calloc"
        case .realloc: return "realloc"
        case .free: return "free"
        case .write: return "write"
        case .check: return "check"
        case .failNext: return "fail_next"
        case .rawThread: return "raw_thread"
        case .crossFree: return "cross_free"
        case .padWrite: return "pad_write"
        case .apiIDWrite: return "api_id"
        case .withoutGIL: return "without_gil"
        case .on: return "on"
        }
    }
}
