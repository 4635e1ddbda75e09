/// The state of one guard pad (leading, before the block, or trailing, after it).
public struct PadStatus: Sendable, Equatable, Codable {
    /// Number of pad bytes, as printed ("The 7 pad bytes at p-7 ...").
    public var count: Int
    /// The pad was reported "FORBIDDENBYTE, as expected."
    public var intact: Bool
    /// The FORBIDDENBYTE value printed as "(0x..)" when the pad is not intact.
    public var expectedByte: UInt8?
    /// The listed bytes; CPython lists them only when the pad is not intact.
    public var bytes: [PadByte]

    public init(count: Int, intact: Bool, expectedByte: UInt8? = nil, bytes: [PadByte] = []) {
        self.count = count
        self.intact = intact
        self.expectedByte = expectedByte
        self.bytes = bytes
    }

    /// Offsets of the bytes flagged `*** OUCH`.
    public var badOffsets: [Int] {
        bytes.filter(\.bad).map(\.offset)
    }

    /// A damaged pad lists every one of its bytes; fewer means the listing was cut off.
    var isFullyListed: Bool {
        intact || bytes.count >= count
    }
}
