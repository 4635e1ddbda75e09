/// What the debug hooks complained about, read from the fatal error message.
public enum FatalErrorKind: Sendable, Equatable, Codable {
    /// The block was released (or resized) through a different allocator domain
    /// than the one that allocated it, or its API id byte was overwritten.
    case badID(allocated: String, verified: String)
    case badLeadingPad
    case badTrailingPad
    /// An allocator that requires the GIL was called without it.
    case withoutGIL
    case other(String)

    public init(message: String) {
        if let ids = FatalErrorKind.apiIDs(in: message[...]) {
            self = .badID(allocated: ids.allocated, verified: ids.verified)
        } else if message.hasPrefix("bad leading pad byte") {
            self = .badLeadingPad
        } else if message.hasPrefix("bad trailing pad byte") {
            self = .badTrailingPad
        } else if message.contains("allocator called without") {
            // 3.6-3.13 say "without holding the GIL"; matching the stem keeps
            // later rewordings ("without an active thread state") recognised.
            self = .withoutGIL
        } else {
            self = .other(message)
        }
    }

    /// Whether this error comes with a "Debug memory block" dump. The GIL check
    /// fails before any block exists, so it has none; unknown errors are judged
    /// by the report itself.
    public var hasBlockDump: Bool? {
        switch self {
        case .badID, .badLeadingPad, .badTrailingPad: return true
        case .withoutGIL: return false
        case .other: return nil
        }
    }

    /// Parses "bad ID: Allocated using API 'm', verified using API 'o'".
    private static func apiIDs(in message: Substring) -> (allocated: String, verified: String)? {
        guard let ids = message.between("bad ID: Allocated using API '", "'"),
            let (allocated, verified) = ids.splitOnce("', verified using API '")
        else { return nil }
        return (String(allocated), String(verified))
    }
}
