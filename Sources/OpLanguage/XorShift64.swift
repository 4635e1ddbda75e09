/// The pseudo-random stream behind every generated input (xorshift64): fixed seeds give the
/// same inputs every run, so that a failing one can be found again.
public struct XorShift64: Sendable {
    public private(set) var state: UInt64

    /// A zero state would stay zero: the low bit is set.
    public init(seed: UInt64) { state = seed | 1 }

    public mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    public mutating func nextByte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}
