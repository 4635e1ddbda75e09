/// The byte values the debug hooks use to mark memory.
///
/// bpo-36389 (2019) changed them to the Windows CRT debug heap's patterns, so
/// the FORBIDDENBYTE printed in a report also tells which generation of the
/// hooks produced it.
public struct DebugFillBytes: Sendable, Equatable, Codable {
    /// Guard pad bytes around every block.
    public var forbidden: UInt8
    /// Fill of freshly allocated memory.
    public var clean: UInt8
    /// Fill of freed memory.
    public var dead: UInt8

    /// The original values: CPython 3.6, and 3.7 releases that predate bpo-36389.
    public static let legacy = DebugFillBytes(forbidden: 0xfb, clean: 0xcb, dead: 0xdb)
    /// The values since bpo-36389: CPython 3.8 on, and later 3.7 releases (3.7.16 prints them).
    public static let current = DebugFillBytes(forbidden: 0xfd, clean: 0xcd, dead: 0xdd)

    /// The byte pymemcheck writes to break a pad (a violation, a scenario, a control): none of
    /// the values above in either generation, so the report always lists it as bad.
    public static let padBreaker: UInt8 = 0x78

    /// The generation whose FORBIDDENBYTE is `byte`, if any.
    public static func matching(forbidden byte: UInt8) -> DebugFillBytes? {
        [legacy, current].first { $0.forbidden == byte }
    }
}
