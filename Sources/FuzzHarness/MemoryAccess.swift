import Glibc

/// The bytes programs write: never 0 and never a debug-hook byte run.
enum Pattern {
    static func byte(_ index: Int, seed: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: index &* 31 &+ 7 &+ Int(seed) &* 13) | 1
    }
}

/// Reading memory that may not be there.
enum Memory {
    /// Whether the page holding `address` is mapped (msync answers ENOMEM when it is not).
    static func isMapped(_ address: UnsafeMutableRawPointer) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: address) & ~UInt(page - 1))!
        return msync(start, page, MS_ASYNC) == 0
    }

    static func firstNonZero(_ block: UnsafeMutableRawPointer, count: Int) -> Int? {
        (0..<count).first { block.load(fromByteOffset: $0, as: UInt8.self) != 0 }
    }
}
