/// One guard byte listed by the debug hooks when a pad is not intact.
///
/// The offset is relative to the pad it belongs to, exactly as CPython prints it:
/// leading pad bytes are at `p-7 ... p-1` (offsets `-7 ... -1`), trailing pad
/// bytes at `tail+0 ... tail+7` (offsets `0 ... 7`).
public struct PadByte: Sendable, Equatable, Codable {
    public var offset: Int
    public var value: UInt8
    /// Marked `*** OUCH`: the byte differs from FORBIDDENBYTE.
    public var bad: Bool
}
