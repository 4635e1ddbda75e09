/// The bytes pymemcheck writes into blocks to see whether they are kept: never 0 (a block
/// zeroed or cleared differs from it) and never a run of one debug-hook byte (neighbouring
/// bytes differ by 31). One pattern for the checks, the fuzzers' write op and the C
/// reproducer's (Sources/Reproducer/ReproPrelude.c, `pattern`, the same formula).
public enum FillPattern {
    public static func byte(_ index: Int, seed: UInt8 = 0) -> UInt8 {
        UInt8(truncatingIfNeeded: index &* 31 &+ 7 &+ Int(seed) &* 13) | 1
    }
}
